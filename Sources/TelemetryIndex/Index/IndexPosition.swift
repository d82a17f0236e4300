import Telemetry

/// How far into the rollup log the index reaches, stored with the rows it covers (one
/// transaction), and the last line read, whose checksum tells whether the log still holds the
/// bytes the index was built from: crash recovery may have cut the log back and rewritten it.
public struct IndexPosition: Sendable, Equatable {
    /// Where the next read starts.
    public var end: LogCursor
    /// The last line indexed: where it starts, its length and CRC-32C (length 0: none yet).
    public var lastLine: LogCursor
    public var lastLineLength: Int
    public var lastLineChecksum: UInt32

    public init(end: LogCursor, lastLine: LogCursor, lastLineLength: Int, lastLineChecksum: UInt32) {
        self.end = end
        self.lastLine = lastLine
        self.lastLineLength = lastLineLength
        self.lastLineChecksum = lastLineChecksum
    }
}
