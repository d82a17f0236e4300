/// The three kinds of simulated device and the metrics each one reports, in catalogue order.
enum DeviceKind: String, CaseIterable, Sendable {
    /// Environment station: air quality, climate and noise around a factory.
    case environment
    /// Production machine: vibration, power, energy, parts and its running state.
    case machine
    /// Utility meter: water flow and pressure.
    case utilityMeter

    /// Device-name prefix: `env`, `mch` or `utl`.
    var namePrefix: String {
        switch self {
        case .environment: "env"
        case .machine: "mch"
        case .utilityMeter: "utl"
        }
    }

    /// The states of `machine_state`, in the order the Markov chain indexes them.
    static let machineStates = ["running", "idle", "fault", "off"]

    /// Metrics in the order a device reports and rotates them.
    var metrics: [Metric] {
        switch self {
        case .environment: Self.environmentMetrics
        case .machine: Self.machineMetrics
        case .utilityMeter: Self.utilityMetrics
        }
    }

    private static let environmentMetrics: [Metric] = [
        .gauge("temperature_c", "°C", -40...150),
        .gauge("humidity_pct", "%", 0...100),
        .gauge("pm25_ugm3", "µg/m³", 0...1000),
        .gauge("pm10_ugm3", "µg/m³", 0...2000),
        .gauge("co2_ppm", "ppm", 0...10000),
        .gauge("noise_dba", "dBA", 0...160),
    ]

    private static let machineMetrics: [Metric] = [
        .gauge("vibration_rms_mms", "mm/s", 0...100),
        .gauge("power_kw", "kW", 0...5000),
        .counter("energy_kwh", "kWh", 0...1e12),
        .counter("parts_total", "parts", 0...1e12),
        .counter("rejected_parts_total", "parts", 0...1e12),
        .state("machine_state", machineStates),
    ]

    private static let utilityMetrics: [Metric] = [
        .gauge("water_flow_m3h", "m³/h", 0...10000),
        .gauge("pressure_bar", "bar", 0...100),
    ]
}
