import SparkplugB

/// What a run published, printed to stderr at the end: messages, readings, faults by kind,
/// elapsed time and achieved rate; with Sparkplug B also the births, deaths and rebirths.
struct RunSummary: Sendable, Equatable {
    /// Messages published (ledger lines), Sparkplug births and deaths included.
    var messages = 0
    /// Readings in those messages, faulty ones included.
    var readings = 0
    /// Messages per applied fault.
    var faults: [Fault: Int] = [:]
    /// Sparkplug B births and deaths published, by message type.
    var sparkplugControl: [SparkplugMessageType: Int] = [:]
    /// Sparkplug B rebirth requests (NCMD) answered.
    var rebirthRequests = 0
    /// Seconds from the first publish until every message was acknowledged (or the drain gave up).
    var seconds = 0.0
    /// Messages published but never acknowledged by the broker.
    var unacknowledged = 0

    /// Data messages published: the messages `--count` and `--rate` count, births and deaths not included.
    var dataMessages: Int { messages - sparkplugControl.values.reduce(0, +) }

    /// Counts one published message.
    mutating func record(_ message: SimMessage) {
        messages += 1
        readings += message.readings.count
        if let fault = message.fault { faults[fault, default: 0] += 1 }
        if let type = message.sparkplug?.type, type != .deviceData {
            sparkplugControl[type, default: 0] += 1
        }
    }

    /// Achieved messages per second.
    var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }

    /// The summary as printed: one line of totals, one of faults, one of Sparkplug B births and
    /// deaths when there were any, and a warning line when messages went unacknowledged.
    func render() -> String {
        let rate = (messagesPerSecond * 10).rounded() / 10
        let elapsed = (seconds * 1000).rounded() / 1000
        var text = "sensors-sim: \(messages) messages, \(readings) readings in \(elapsed) s (\(rate) msg/s)\n"
        text += "faults: " + Fault.allCases.map { "\($0.rawValue) \(faults[$0, default: 0])" }.joined(separator: ", ") + "\n"
        if !sparkplugControl.isEmpty {
            let types: [SparkplugMessageType] = [.nodeBirth, .deviceBirth, .deviceDeath, .nodeDeath]
            text +=
                "sparkplug: \(dataMessages) DDATA, "
                + types.map { "\($0.rawValue) \(sparkplugControl[$0, default: 0])" }.joined(separator: ", ")
                + ", rebirth requests \(rebirthRequests)\n"
        }
        if unacknowledged > 0 {
            text += "warning: \(unacknowledged) published messages were never acknowledged by the broker; the ledger lists them\n"
        }
        return text
    }
}
