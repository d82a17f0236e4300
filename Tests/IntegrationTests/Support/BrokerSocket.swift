import Foundation

/// The gateway's TCP connection to the broker, found through its socket inode.
struct BrokerSocket {
    let pid: pid_t
    let brokerPort: Int
    let inode: String

    init?(pid: pid_t, brokerPort: Int) {
        self.pid = pid
        self.brokerPort = brokerPort
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let inodes = Set(
            fds.compactMap { fd -> String? in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                    target.hasPrefix("socket:[")
                else { return nil }
                return String(target.dropFirst("socket:[".count).dropLast())
            })
        let port = String(format: "%04X", brokerPort)
        guard let row = Self.rows(pid: pid).first(where: { inodes.contains($0[9]) && $0[2].hasSuffix(":" + port) }) else {
            return nil
        }
        inode = row[9]
    }

    /// Bytes received by the kernel that the gateway has not read yet (rx_queue).
    func unreadBytes() -> Int? {
        guard let row = Self.rows(pid: pid).first(where: { $0[9] == inode }) else { return nil }
        return row[4].split(separator: ":").last.flatMap { Int($0, radix: 16) }
    }

    /// `/proc/<pid>/net/tcp` rows split into fields (2: remote address, 4: tx:rx queue, 9: inode).
    private static func rows(pid: pid_t) -> [[String]] {
        guard let text = readProcFile("/proc/\(pid)/net/tcp") else { return [] }
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }.filter { $0.count > 9 }
    }
}
