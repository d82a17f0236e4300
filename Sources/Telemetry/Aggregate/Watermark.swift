/// A device's event-time watermark: windows ending at or before it are closed, and readings
/// before it are too late.
///
/// Watermark = the device's highest event time − allowed lateness. A device that sends nothing
/// for `allowedLateness` of ingest time has its watermark carried forward by the time elapsed,
/// so that idle series still close. Per device, not global, so one device with a skewed clock
/// or a store-and-forward backlog does not make every other device's readings late. Plain data,
/// kept inline in `DeviceState`. Every rule that moves a watermark is in this file.
struct Watermark {
    /// Highest event time accepted from this device; `.min` before the first reading.
    var maxEventMillis: Int64 = .min
    /// Windows ending at or before this instant are closed; readings before it are too late.
    var millis: Int64 = .min
    /// Receive time of the device's latest message, to detect an idle device.
    var lastReceivedMillis: Int64 = .min

    /// True when a reading at `timestampMillis` falls before the watermark.
    func isTooLate(_ timestampMillis: Int64) -> Bool {
        timestampMillis < millis
    }

    /// A message whose readings' latest event time is `maxEventMillis` was accepted at
    /// `receivedAtMillis`: the watermark follows the highest event time, never back.
    mutating func observe(maxEventMillis eventMillis: Int64, receivedAtMillis: Int64, allowedLatenessMillis: Int64) {
        maxEventMillis = max(maxEventMillis, eventMillis)
        millis = max(millis, maxEventMillis - allowedLatenessMillis)
        lastReceivedMillis = max(lastReceivedMillis, receivedAtMillis)
    }

    /// Carries an idle device's watermark forward: its idle time counts from its last message
    /// or from `resumedAtMillis` (receiving resumed after a gap), whichever is later, since the
    /// broker's backlog for it may still be on its way. Nothing moves before the first message
    /// or within `allowedLatenessMillis` of idleness.
    mutating func carryForward(ingestClockMillis: Int64, resumedAtMillis: Int64, allowedLatenessMillis: Int64) {
        guard lastReceivedMillis != .min else { return }
        let idleMillis = ingestClockMillis - max(lastReceivedMillis, resumedAtMillis)
        guard idleMillis >= allowedLatenessMillis else { return }
        millis = max(millis, maxEventMillis + idleMillis - allowedLatenessMillis)
    }
}
