/// The window of one rollup line, read from the line's first three fields without parsing the
/// rest: what the log's tier retention needs to know of a line, its tier (the window's length,
/// which is also how the query index tells tiers apart) and its end.
///
/// It accepts exactly the prefix `RollupWindow.write(to:)` produces,
/// `{"tier":"<name>","start":"<time>","end":"<time>",`, with a plain name (no escapes, at most
/// 32 bytes) and both times in `UTCTimestamp`'s 24-byte form, the end after the start. Anything
/// else (another kind of record, a torn or hand-edited line) is not classified, and retention
/// keeps such lines. O(1): it reads at most the first 111 bytes.
struct RollupLineWindow: Sendable, Equatable {
    /// The window's start, epoch milliseconds.
    let startMillis: Int64
    /// The window's end (exclusive), epoch milliseconds.
    let endMillis: Int64

    /// The tier: the window's length in milliseconds.
    var lengthMillis: Int64 { endMillis - startMillis }

    init(startMillis: Int64, endMillis: Int64) {
        self.startMillis = startMillis
        self.endMillis = endMillis
    }

    private static let tierPrefix = Array(#"{"tier":""#.utf8)
    private static let startField = Array(#"","start":""#.utf8)
    private static let endField = Array(#"","end":""#.utf8)
    private static let afterEnd = Array(#"","#.utf8)
    private static let longestTierName = 32
    private static let timestampBytes = 24

    /// The window of `line` (one log line without its newline), or nil when the line does not
    /// begin as a rollup record does.
    init?(line: ArraySlice<UInt8>) {
        var rest = line[...]
        guard Self.consume(Self.tierPrefix, from: &rest) else { return nil }
        let nameLimit = rest.prefix(Self.longestTierName + 1)
        guard let quote = nameLimit.firstIndex(of: UInt8(ascii: "\"")), quote > rest.startIndex,
            !rest[..<quote].contains(UInt8(ascii: "\\"))
        else { return nil }
        rest = rest[quote...]
        guard Self.consume(Self.startField, from: &rest),
            let start = UTCTimestamp.millis(parsing: rest.prefix(Self.timestampBytes))
        else { return nil }
        rest = rest.dropFirst(Self.timestampBytes)
        guard Self.consume(Self.endField, from: &rest),
            let end = UTCTimestamp.millis(parsing: rest.prefix(Self.timestampBytes))
        else { return nil }
        rest = rest.dropFirst(Self.timestampBytes)
        guard Self.consume(Self.afterEnd, from: &rest), end > start else { return nil }
        self.init(startMillis: start, endMillis: end)
    }

    /// Drops `expected` from the front of `bytes` if they begin with it.
    private static func consume(_ expected: [UInt8], from bytes: inout ArraySlice<UInt8>) -> Bool {
        guard bytes.starts(with: expected) else { return false }
        bytes = bytes.dropFirst(expected.count)
        return true
    }
}
