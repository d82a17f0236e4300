import Foundation

/// A process's resident memory from `/proc/<pid>/status`, in bytes.
struct ProcessMemory {
    var rss: Int
    /// Peak resident memory since the process started.
    var hwm: Int

    init?(pid: pid_t) {
        guard let text = readProcFile("/proc/\(pid)/status") else { return nil }
        func kilobytes(_ key: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
        }
        guard let rss = kilobytes("VmRSS"), let hwm = kilobytes("VmHWM") else { return nil }
        self.rss = rss * 1024
        self.hwm = hwm * 1024
    }

    /// Threads of `pid` in uninterruptible sleep (state D), e.g. waiting for a frozen file system.
    static func blockedThreads(pid: pid_t) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.filter { task in
            guard let stat = readProcFile("/proc/\(pid)/task/\(task)/stat"),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first == "D"
        }.count
    }
}

/// The whole of a `/proc` file, read until end of file. (`String(contentsOfFile:)` returned only
/// the first 4,050 bytes of a 5,850-byte `/proc/net/tcp` here: a proc file reports size 0 and
/// one `read(2)` of it returns at most a page, so on a busy machine the gateway's row was missing.)
func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16_384)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 { return nil }
        if count == 0 { return String(decoding: bytes, as: UTF8.self) }
        bytes += chunk[0..<count]
    }
}
