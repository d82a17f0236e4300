/// What a run published, printed to stderr at the end: messages, readings, faults by kind,
/// elapsed time and achieved rate.
struct RunSummary: Sendable, Equatable {
    /// Messages published (ledger lines).
    var messages = 0
    /// Readings in those messages, faulty ones included.
    var readings = 0
    /// Messages per applied fault.
    var faults: [Fault: Int] = [:]
    /// Seconds from the first publish until every message was acknowledged (or the drain gave up).
    var seconds = 0.0
    /// Messages published but never acknowledged by the broker.
    var unacknowledged = 0

    /// Counts one published message.
    mutating func record(_ message: SimMessage) {
        messages += 1
        readings += message.readings.count
        if let fault = message.fault { faults[fault, default: 0] += 1 }
    }

    /// Achieved messages per second.
    var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }

    /// The summary as printed: one line of totals, one of faults, and a warning line when
    /// messages went unacknowledged.
    func render() -> String {
        let rate = (messagesPerSecond * 10).rounded() / 10
        let elapsed = (seconds * 1000).rounded() / 1000
        var text = "sensors-sim: \(messages) messages, \(readings) readings in \(elapsed) s (\(rate) msg/s)\n"
        text += "faults: " + Fault.allCases.map { "\($0.rawValue) \(faults[$0, default: 0])" }.joined(separator: ", ") + "\n"
        if unacknowledged > 0 {
            text += "warning: \(unacknowledged) published messages were never acknowledged by the broker; the ledger lists them\n"
        }
        return text
    }
}
