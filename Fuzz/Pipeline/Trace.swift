#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A readable account of what a program does, on standard error, when the environment sets
/// `PIPELINE_FUZZ_TRACE` (to turn a saved crash input into a reproducer someone can read).
/// Off, it costs one load of a flag per operation.
enum Trace {
    /// Whether `PIPELINE_FUZZ_TRACE` is set; read once.
    static let enabled = getenv("PIPELINE_FUZZ_TRACE") != nil

    /// Writes `line` when tracing.
    static func log(_ line: @autoclosure () -> String) {
        guard enabled else { return }
        var text = line()
        text += "\n"
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

    /// Bytes as text for a trace line: UTF-8 with replacement, cut after 300 bytes.
    static func text(_ bytes: [UInt8]) -> String {
        let shown = String(decoding: bytes.prefix(300), as: UTF8.self)
        return bytes.count > 300 ? shown + "…(\(bytes.count) bytes)" : shown
    }
}
