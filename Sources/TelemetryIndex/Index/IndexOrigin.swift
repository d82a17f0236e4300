import Telemetry

/// Where a record's line starts in the log, packed in one integer for the `origin` column:
/// the segment number in the high bits, the byte offset in the low 40 (1 TiB, far above any
/// segment size). Ordered as the log is.
enum IndexOrigin {
    static let offsetBits: Int64 = 40

    static func value(of cursor: LogCursor) -> Int64 {
        (Int64(cursor.segment) << offsetBits) | (cursor.offset & ((1 << offsetBits) - 1))
    }
}
