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
        millis = carriedForward(
            ingestClockMillis: ingestClockMillis, resumedAtMillis: resumedAtMillis, allowedLatenessMillis: allowedLatenessMillis)
    }

    /// What `carryForward` would make `millis`, without changing it.
    func carriedForward(ingestClockMillis: Int64, resumedAtMillis: Int64, allowedLatenessMillis: Int64) -> Int64 {
        guard lastReceivedMillis != .min else { return millis }
        let idleMillis = ingestClockMillis.subtractingSaturated(max(lastReceivedMillis, resumedAtMillis))
        guard idleMillis >= allowedLatenessMillis else { return millis }
        return max(millis, maxEventMillis.addingSaturated(idleMillis).subtractingSaturated(allowedLatenessMillis))
    }

    /// The earliest ingest clock at which `carryForward` (with `resumedAtMillis`) moves the
    /// watermark to `instant` or past it, if the device sends nothing before; `Int64.max` when
    /// it never does (no message yet). A later `resumedAtMillis` only makes it later.
    func idleClockMillis(reaching instant: Int64, resumedAtMillis: Int64, allowedLatenessMillis: Int64) -> Int64 {
        guard lastReceivedMillis != .min else { return .max }
        let idleMillis = max(
            allowedLatenessMillis, instant.subtractingSaturated(maxEventMillis).addingSaturated(allowedLatenessMillis))
        return max(lastReceivedMillis, resumedAtMillis).addingSaturated(idleMillis)
    }
}
