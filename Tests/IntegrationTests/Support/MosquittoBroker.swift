import Foundation

/// A real Mosquitto broker on a free loopback port, configured so it never drops queued
/// messages, stopped when the value is released.
final class MosquittoBroker {
    let port: Int
    private let configURL: URL
    private let logURL: URL
    private var child: SpawnedProcess

    /// QoS 1 messages the broker sends a client before it waits for PUBACKs.
    static let maxInflightMessages = 100

    /// Starts `mosquitto` with `extraConfig` lines appended and waits until it accepts connections.
    init(directory: URL, extraConfig: [String] = []) throws {
        port = try Self.freeLoopbackPort()
        configURL = directory.appendingPathComponent("mosquitto.conf")
        logURL = directory.appendingPathComponent("mosquitto.log")
        let lines =
            [
                "listener \(port) 127.0.0.1",
                "allow_anonymous true",
                "max_queued_messages 1000000",
                "max_inflight_messages \(Self.maxInflightMessages)",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
            ] + (extraConfig.contains { $0.hasPrefix("persistence ") } ? [] : ["persistence false"]) + extraConfig
        try (lines.joined(separator: "\n") + "\n").write(to: configURL, atomically: true, encoding: .utf8)
        child = try Self.launch(configURL: configURL, logURL: logURL, port: port)
    }

    private static func launch(configURL: URL, logURL: URL, port: Int) throws -> SpawnedProcess {
        let executable = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else { throw TestFailure("mosquitto is not installed (apt-get install mosquitto)") }
        let child = try SpawnedProcess(executable, ["-c", configURL.path], logURL: logURL)
        try waitUntil(timeout: 10, "mosquitto did not start listening on 127.0.0.1:\(port): \(child.output)") {
            guard child.isRunning else { throw TestFailure("mosquitto exited: \(child.output)") }
            return canConnect(port: port)
        }
        return child
    }

    /// Creates `directory` for the broker's persistence file, writable by the broker: started as
    /// root, Mosquitto drops to the `mosquitto` user, which cannot write a directory root made
    /// (every save then fails with "Permission denied" and a restart loses the sessions).
    static func makePersistenceDirectory(_ directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if geteuid() == 0, let user = getpwnam("mosquitto") {
            guard chown(directory.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw TestFailure("cannot give \(directory.path) to the mosquitto user: errno \(errno)")
            }
        }
        return directory
    }

    /// Stops the broker with SIGTERM (it saves its persistence file) and starts it again on the
    /// same port with the same configuration.
    func restart() throws {
        child.signal(SIGTERM)
        try child.waitForExit(timeout: 20)
        let output = child.output
        guard !output.contains("Permission denied") else {
            throw TestFailure("mosquitto could not save its persistence file before the restart: \(output)")
        }
        child = try Self.launch(configURL: configURL, logURL: logURL, port: port)
    }

    /// What the broker has logged so far (errors and warnings, plus anything `extraConfig` adds).
    var log: String { child.output }

    deinit {
        child.signal(SIGKILL)
        _ = try? child.waitForExit(timeout: 5)
    }

    /// Asks the kernel for an unused loopback port.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw TestFailure("could not bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
