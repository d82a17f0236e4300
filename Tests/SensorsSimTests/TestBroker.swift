import Foundation

/// A real `mosquitto` on a free loopback port, in its own temporary directory, for tests.
final class TestBroker {
    let port: Int
    let directory: URL
    private let process: Process

    /// Starts the broker and waits until it logs that it is running. With `anonymous` false and
    /// no password file, it refuses every client.
    init(anonymous: Bool = true) throws {
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sensors-sim-test-\(getpid())-\(port)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            listener \(port) 127.0.0.1
            allow_anonymous \(anonymous)
            max_queued_messages 0
            log_dest stderr
            log_type information
            log_type subscribe
            """
        try config.write(to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = try Self.executable("mosquitto")
        process.arguments = ["-c", directory.appendingPathComponent("mosquitto.conf").path]
        // The broker logs to stderr, captured in a file opened here: as root, mosquitto drops
        // privileges and could not open a log file in this directory itself.
        let log = directory.appendingPathComponent("broker.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        do {
            try waitForLog(containing: " running", what: "mosquitto to start on port \(port)")
        } catch {
            stop()
            throw error
        }
    }

    /// Waits (up to 10 s) until the broker's log contains `text`.
    func waitForLog(containing text: String, what: String) throws {
        for _ in 0..<1000 {
            if let log = try? String(contentsOf: directory.appendingPathComponent("broker.log"), encoding: .utf8),
                log.contains(text)
            {
                return
            }
            usleep(10_000)
        }
        throw TestFailure("timed out waiting for \(what)")
    }

    /// Kills the broker and removes its directory. SIGKILL, because a child started from a
    /// libdispatch worker thread inherits that thread's blocked SIGTERM.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A loopback port nothing listens on right now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw TestFailure("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Finds a Mosquitto tool on PATH or in /usr/sbin.
    static func executable(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"] {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw TestFailure("\(name) not found on PATH or in /usr/sbin: install the mosquitto and mosquitto-clients packages")
    }
}

/// A test precondition that failed, with its reason.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
