import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fresh directory under the system temporary directory, removed with everything in it
/// when the value is released.
final class LogScratchDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "segmented-log-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/relative`.
    func file(_ relative: String) -> String { path + "/" + relative }

    /// Replaces the file at `relative` with `text`.
    func write(_ text: String, to relative: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(relative)))
    }

    /// Appends `text` to the file at `relative`, creating it if needed.
    func append(_ text: String, to relative: String) throws {
        let path = file(relative)
        if !FileManager.default.fileExists(atPath: path) {
            try write(text, to: relative)
            return
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// The file at `relative` as UTF-8 text.
    func contents(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: file(relative))), as: UTF8.self)
    }

    /// The names in the directory `relative` (or the root), sorted as strings.
    func names(in relative: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: relative.isEmpty ? path : file(relative)).sorted()
    }
}

/// Writes in a scripted way: each step either lets at most that many bytes through (≥ 0) or
/// fails with that negated errno; when the script is used up, writes go straight to `write(2)`.
final class ScriptedLogWrites {
    var script: [Int]
    private(set) var calls = 0

    init(_ script: [Int] = []) { self.script = script }

    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        calls += 1
        var allowed = bytes.count
        if !script.isEmpty {
            let step = script.removeFirst()
            if step < 0 { return step }
            allowed = min(step, bytes.count)
        }
        let written = systemWrite(descriptor, bytes.baseAddress, allowed)
        return written >= 0 ? written : -Int(errno)
    }
}

/// `write(2)`, which `ScriptedLogWrites.write` shadows inside the class.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// A small tmpfs mounted for a test (Linux, needs root), to fill a file system for real.
struct LogTmpfsMount {
    let path: String

    /// Mounts a tmpfs of `sizeBytes` at the existing directory `path`, with at most `inodes`
    /// inodes (the root directory takes one) when given.
    init(at path: String, sizeBytes: Int, inodes: Int? = nil) throws {
        #if os(Linux)
            let options = "size=\(sizeBytes)" + (inodes.map { ",nr_inodes=\($0)" } ?? "")
            guard mount("tmpfs", path, "tmpfs", 0, options) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
            }
            self.path = path
        #else
            throw POSIXError(.ENOTSUP)
        #endif
    }

    func unmount() {
        #if os(Linux)
            _ = umount2(path, Int32(MNT_DETACH))
        #endif
    }

    /// Whether this process may mount a tmpfs (probed once by mounting one).
    static let isAvailable: Bool = {
        guard let probe = try? LogScratchDirectory(), let mounted = try? LogTmpfsMount(at: probe.path, sizeBytes: 4096) else {
            return false
        }
        mounted.unmount()
        return true
    }()
}

/// `count` lines of JSON, each exactly `width` bytes, numbered from `first`.
func numberedLogLines(_ count: Int, width: Int = 20, first: Int = 0) -> [String] {
    (first..<(first + count)).map { number in
        let head = "{\"n\":\(number),\"p\":\""
        let tail = "\"}"
        return head + String(repeating: "x", count: max(0, width - head.utf8.count - tail.utf8.count)) + tail
    }
}
