/// The publishing loop: paces, asks the factory for the next message, publishes it, records it
/// in the ledger, and at the end drains acknowledgements and closes the ledger.
///
/// Stops after `count` messages, after `durationSeconds`, or when `stop` is requested, whichever
/// comes first. A message enters the ledger only once `mosquitto_publish` accepted it.
struct PublishRun: Sendable {
    /// Target messages per second; 0 means as fast as possible.
    var rate: Double
    /// Messages to publish; `nil` for no limit.
    var count: Int?
    /// Seconds to publish for; `nil` for no limit.
    var durationSeconds: Double?
    /// Seconds to wait for outstanding acknowledgements at the end.
    var drainTimeoutSeconds: Double = 5

    /// Runs the loop until a limit or `stop`, then drains and closes `ledger` (also when
    /// publishing failed, so the ledger lists everything that went out before the error).
    func execute(
        factory: inout MessageFactory, publisher: MQTTPublisher, ledger: Ledger?, stop: StopSignal
    ) throws(SimError) -> RunSummary {
        var summary = RunSummary()
        let start = SystemClock.monotonicNanoseconds()
        let deadline = durationSeconds.map { start + UInt64($0 * 1e9) }
        var pacer = Pacer(rate: rate, startNanoseconds: start)
        var failure: SimError?
        do throws(SimError) {
            while !stop.isRequested {
                if let count, summary.messages >= count { break }
                pacer.waitForTurn(summary.messages, stop: stop, deadline: deadline)
                if stop.isRequested { break }
                if let deadline, SystemClock.monotonicNanoseconds() >= deadline { break }
                let message = factory.next(atMilliseconds: SystemClock.wallMilliseconds())
                let connection = message.deviceIndex % publisher.connectionCount
                guard try publisher.publish(topic: message.topic, payload: message.payload, connection: connection, stop: stop)
                else { break }
                try ledger?.append(message)
                summary.record(message)
            }
        } catch {
            failure = error
        }
        summary.unacknowledged = publisher.drain(timeoutSeconds: drainTimeoutSeconds)
        summary.seconds = Double(SystemClock.monotonicNanoseconds() - start) / 1e9
        do throws(SimError) {
            try ledger?.close()
        } catch {
            failure = failure ?? error
        }
        if let failure { throw failure }
        return summary
    }
}
