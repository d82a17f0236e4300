/// The publishing loop: paces, asks the factory for the next message, publishes it, records it
/// in the ledger, and at the end drains acknowledgements and closes the ledger.
///
/// Stops after `count` data messages, after `durationSeconds`, or when `stop` is requested,
/// whichever comes first. A message enters the ledger only once `mosquitto_publish` accepted it.
///
/// With Sparkplug B, before each data message it answers the rebirth requests received since the
/// last one and publishes the births due (`MessageFactory.sparkplugBirths`); after the last, the
/// deaths. Births and deaths are not paced and not counted by `count`, but they are messages of
/// the ledger and the summary. An edge node's messages all go on connection `node % connections`,
/// so they reach the broker in `seq` order.
struct PublishRun: Sendable {
    /// Target data messages per second; 0 means as fast as possible.
    var rate: Double
    /// Data messages to publish; `nil` for no limit.
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
        /// Publishes one message and records it; false when `stop` cut the wait for the broker short.
        func send(_ message: SimMessage) throws(SimError) -> Bool {
            let route = message.sparkplug?.edgeNode ?? message.deviceIndex
            let connection = route % publisher.connectionCount
            guard try publisher.publish(topic: message.topic, payload: message.payload, connection: connection, stop: stop)
            else { return false }
            try ledger?.append(message)
            summary.record(message)
            return true
        }
        // A message given up for the stop leaves a gap in its edge node's seq: no deaths then.
        var complete = true
        do throws(SimError) {
            publishing: while !stop.isRequested {
                if let count, summary.dataMessages >= count { break }
                pacer.waitForTurn(summary.dataMessages, stop: stop, deadline: deadline)
                if stop.isRequested { break }
                if let deadline, SystemClock.monotonicNanoseconds() >= deadline { break }
                let now = SystemClock.wallMilliseconds()
                if factory.sparkplug != nil {
                    for command in publisher.takeReceived()
                    where factory.answerCommand(topic: command.topic, payload: command.payload) {
                        summary.rebirthRequests += 1
                    }
                    for birth in factory.sparkplugBirths(atMilliseconds: now) {
                        guard try send(birth) else {
                            complete = false
                            break publishing
                        }
                    }
                }
                guard try send(factory.next(atMilliseconds: now)) else {
                    complete = false
                    break
                }
            }
            if complete {
                for death in factory.sparkplugDeaths(atMilliseconds: SystemClock.wallMilliseconds()) {
                    guard try send(death) else { break }
                }
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
