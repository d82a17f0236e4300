/// How the simulator writes its messages on the wire.
///
/// * `json`: the ThingsBoard-style shapes of the wire contract (`PayloadShape`), on
///   `<prefix>/<park>/<site>/<device>/telemetry`.
/// * `line`: InfluxDB line protocol (`LinePayload`) on `<prefix>/<park>/<site>/line`, the
///   device named by a `device` tag, timestamps in milliseconds; no `seq` (line protocol has
///   none), so repeats are recognised only for timestamped messages.
/// * `sparkplug`: Sparkplug B 3.0.0 (`SparkplugEdge`, `SparkplugPayloads`): each site is an edge
///   node of the park's group, each device a device of it; births, DDATA by alias, deaths, and a
///   `seq` per edge node instead of the JSON `seq` per device.
enum WireFormat: String, CaseIterable, Sendable {
    case json
    case line
    case sparkplug
}
