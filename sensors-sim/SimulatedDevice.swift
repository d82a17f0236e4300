import Foundation

/// One simulated device: its place in the fleet, the physical model behind its readings, and
/// its publishing state (next seq, metric rotation, last clean message).
///
/// Values follow the local day in Vietnam (UTC+7): a sinusoidal daily cycle, Gaussian noise and
/// a slow mean-reverting drift per metric; machines move through `running/idle/fault/off` as a
/// Markov chain and their counters grow with power and production, with rare resets to 0.
/// Each device draws from its own generator, so its values do not depend on the other devices,
/// on the fault plan or on the payload shapes.
struct SimulatedDevice: Sendable {
    /// The last clean message a device published, kept so that a duplicate can repeat it.
    struct PublishedCopy: Sendable, Equatable {
        /// Exact payload bytes.
        var payload: [UInt8]
        /// Its sequence number; `nil` when messages carry none.
        var seq: UInt64?
        /// Its shape.
        var shape: PayloadShape
        /// Sparkplug B: its edge node's `seq` in it.
        var sparkplugSeq: UInt64? = nil
        /// Sparkplug B: how many sequenced messages its edge node had sent with it (see
        /// `SparkplugEdgeNode.sequenced`).
        var nodePosition: UInt64 = 0
    }

    /// Position in the fleet, from 0; also the number in the device name.
    let index: Int
    /// What the device measures.
    let kind: DeviceKind
    /// Industrial park (topic segment).
    let park: String
    /// Site within the park, `f01`…`f04` (topic segment).
    let site: String
    /// Device name, e.g. `env-0003` (topic segment).
    let name: String
    /// Full MQTT topic the device publishes its JSON to.
    let topic: String
    /// The topic of its line protocol messages: one per site, the device named by a tag.
    let lineTopic: String

    /// Sequence number of the device's next message that carries one.
    var nextSeq: UInt64
    /// Offset of the first metric of the next message when messages carry a subset of metrics.
    var rotation = 0
    /// Timestamp of the newest reading the device has published with a `ts` (a batch's before
    /// any late or future shift; no late or future `ts` or array message), so that its next
    /// timestamped message does not start before it: a device's event times never go back,
    /// and its counters grow in event-time order as they do in publishing order.
    var lastStampMillis: Int64?
    /// The device's previous published message, when it was clean; what a `duplicate_seq` or
    /// `duplicate_payload` fault re-sends.
    var previousClean: PublishedCopy?
    /// Whether the device has published at least one fault-free message (needed by `too_late`).
    var hasPublishedClean = false

    private var random: SeededGenerator
    private let profile: Profile
    private var drift: [Double]
    private var energyKWh: Double
    private var partsMade: Double
    private var partsRejected: Double
    private var machineState: Int
    private var lastSampleMilliseconds: Int64?

    /// Creates the device with its model parameters drawn from `seed` and its index.
    init(index: Int, kind: DeviceKind, park: String, site: String, topicPrefix: String, seed: UInt64, seqStart: UInt64) {
        self.index = index
        self.kind = kind
        self.park = park
        self.site = site
        let number = String(index)
        name = kind.namePrefix + "-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
        topic = "\(topicPrefix)/\(park)/\(site)/\(name)/telemetry"
        lineTopic = "\(topicPrefix)/\(park)/\(site)/line"
        nextSeq = seqStart
        var random = SeededGenerator(seed: seed, stream: UInt64(index))
        profile = Profile(random: &random)
        drift = Array(repeating: 0, count: kind.metrics.count)
        energyKWh = random.uniform(10_000, 500_000)
        partsMade = random.uniform(0, 2_000_000).rounded(.down)
        partsRejected = (partsMade * profile.rejectRate).rounded(.down)
        let start = random.unit()
        machineState = start < 0.7 ? 0 : start < 0.9 ? 1 : 3
        self.random = random
    }

    /// Advances the model to `milliseconds` (Unix epoch) and returns one publishable value per
    /// metric of `kind.metrics`, in that order: rounded, and inside each metric's range.
    mutating func sample(atMilliseconds milliseconds: Int64) -> [ReadingValue] {
        let elapsedHours = lastSampleMilliseconds.map { Double(min(max(milliseconds - $0, 0), 3_600_000)) / 3_600_000 } ?? 0
        lastSampleMilliseconds = milliseconds
        let hour = Self.localHour(milliseconds)
        for position in drift.indices {
            drift[position] = min(max(drift[position] * 0.995 + 0.004 * random.gaussian(), -0.15), 0.15)
        }
        let raw: [ReadingValue]
        switch kind {
        case .environment: raw = environment(hour: hour)
        case .machine: raw = machine(hour: hour, elapsedHours: elapsedHours)
        case .utilityMeter: raw = utility(hour: hour)
        }
        return zip(kind.metrics, raw).map { metric, value in
            if case .number(let number) = value { return .number(metric.publishable(number)) }
            return value
        }
    }

    /// Hour of the day, with fraction, in Vietnam (UTC+7), where the parks are.
    static func localHour(_ milliseconds: Int64) -> Double {
        let secondsOfDay = (milliseconds / 1000 + 7 * 3600) % 86_400
        return Double(secondsOfDay < 0 ? secondsOfDay + 86_400 : secondsOfDay) / 3600
    }

    /// `cos` of the time from `peak` around the 24-hour clock: 1 at the peak, -1 twelve hours away.
    private static func dayWave(_ hour: Double, peak: Double) -> Double {
        cos(2 * Double.pi * (hour - peak) / 24)
    }

    /// Factory activity from 0 (01:00) to 1 (13:00).
    private static func workLoad(_ hour: Double) -> Double {
        (1 + dayWave(hour, peak: 13)) / 2
    }

    private mutating func environment(hour: Double) -> [ReadingValue] {
        let afternoon = Self.dayWave(hour, peak: 14)
        let work = Self.workLoad(hour)
        let temperature =
            (profile.temperatureBase + profile.temperatureSwing * afternoon) * (1 + drift[0]) + 0.15 * random.gaussian()
        let humidity = (profile.humidityBase - profile.humiditySwing * afternoon) * (1 + drift[1]) + 0.6 * random.gaussian()
        let pm25 = profile.pmBase * (1 + 0.35 * Self.dayWave(hour, peak: 8)) * (1 + drift[2]) * (1 + 0.06 * random.gaussian())
        let pm10 = pm25 * profile.pm10Ratio * (1 + drift[3]) * (1 + 0.05 * random.gaussian())
        let co2 = (420 + profile.co2Occupancy * work) * (1 + drift[4]) + 8 * random.gaussian()
        let noise = (profile.noiseBase + 14 * work) * (1 + drift[5]) + 1.2 * random.gaussian()
        return [temperature, humidity, pm25, pm10, co2, noise].map { .number($0) }
    }

    private mutating func machine(hour: Double, elapsedHours: Double) -> [ReadingValue] {
        machineState = Self.nextMachineState(after: machineState, draw: random.unit())
        let rated = profile.ratedPowerKW
        let power: Double
        let vibration: Double
        var load = 0.0
        switch machineState {
        case 0:
            load = 0.7 + 0.2 * Self.workLoad(hour) + 0.03 * random.gaussian()
            power = rated * load
            vibration = profile.vibrationBase * (1 + drift[0]) * (1 + 0.08 * random.gaussian())
        case 1:
            power = rated * 0.12 * (1 + 0.05 * random.gaussian())
            vibration = profile.vibrationBase * 0.15 * (1 + 0.1 * random.gaussian())
        case 2:
            power = rated * 0.05 * (1 + 0.1 * random.gaussian())
            vibration = profile.vibrationBase * 3.5 * (1 + 0.15 * random.gaussian())
        default:
            power = rated * 0.002 * (1 + 0.1 * random.gaussian())
            vibration = 0.05 * abs(random.gaussian())
        }
        energyKWh += max(power, 0) * elapsedHours
        let made = profile.partsPerMinute * 60 * elapsedHours * max(load, 0)
        partsMade += made
        partsRejected += made * profile.rejectRate
        if random.chance(Self.counterResetProbability) { energyKWh = 0 }
        if random.chance(Self.counterResetProbability) { partsMade = 0 }
        if random.chance(Self.counterResetProbability) { partsRejected = 0 }
        return [
            .number(vibration), .number(power), .number(energyKWh),
            .number(partsMade.rounded(.down)), .number(partsRejected.rounded(.down)),
            .string(DeviceKind.machineStates[machineState]),
        ]
    }

    private mutating func utility(hour: Double) -> [ReadingValue] {
        let demand = 0.55 + 0.45 * Self.workLoad(hour)
        let flow = profile.flowBase * demand * (1 + drift[0]) * (1 + 0.04 * random.gaussian())
        let pressure = profile.pressureBase * (1 + drift[1]) - 0.8 * (demand - 0.55) + 0.04 * random.gaussian()
        return [.number(flow), .number(pressure)]
    }

    /// Probability that a counter resets to 0 at a given sample (~0.1 % of messages per counter).
    static let counterResetProbability = 0.001

    /// Rows: from running, idle, fault, off; columns: cumulative probability of the next state.
    private static let machineTransitions: [[Double]] = [
        [0.970, 0.990, 0.995, 1.0],
        [0.100, 0.970, 0.975, 1.0],
        [0.050, 0.100, 0.950, 1.0],
        [0.030, 0.070, 0.070, 1.0],
    ]

    private static func nextMachineState(after state: Int, draw: Double) -> Int {
        machineTransitions[state].firstIndex { draw < $0 } ?? 3
    }

    /// Per-device constants of the model, drawn once.
    private struct Profile: Sendable {
        let temperatureBase: Double
        let temperatureSwing: Double
        let humidityBase: Double
        let humiditySwing: Double
        let pmBase: Double
        let pm10Ratio: Double
        let co2Occupancy: Double
        let noiseBase: Double
        let ratedPowerKW: Double
        let vibrationBase: Double
        let partsPerMinute: Double
        let rejectRate: Double
        let flowBase: Double
        let pressureBase: Double

        init(random: inout SeededGenerator) {
            temperatureBase = random.uniform(26, 31)
            temperatureSwing = random.uniform(2, 5)
            humidityBase = random.uniform(65, 82)
            humiditySwing = random.uniform(6, 14)
            pmBase = random.uniform(20, 60)
            pm10Ratio = random.uniform(1.4, 1.9)
            co2Occupancy = random.uniform(100, 500)
            noiseBase = random.uniform(52, 62)
            ratedPowerKW = random.uniform(50, 800)
            vibrationBase = random.uniform(2, 5)
            partsPerMinute = random.uniform(5, 60)
            rejectRate = random.uniform(0.005, 0.03)
            flowBase = random.uniform(30, 300)
            pressureBase = random.uniform(3.5, 6)
        }
    }
}
