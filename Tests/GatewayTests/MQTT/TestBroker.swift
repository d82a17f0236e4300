import Foundation
import Testing

/// A Mosquitto broker on a free 127.0.0.1 port for the MQTT client's tests, with the
/// `mosquitto_sub`/`mosquitto_pub` calls they read and write it with. Killed when released.
final class TestBroker {
    let port: Int
    private let directory: URL
    private let configURL: URL
    private var process: Process

    /// Starts `mosquitto` and waits until it accepts connections. The free port it is given may
    /// be taken by another process before it binds it (tests run in parallel): then it tries
    /// another, three times at most.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configURL = directory.appendingPathComponent("mosquitto.conf")
        var attempt = 1
        while true {
            let port = try Self.freeLoopbackPort()
            try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n".write(
                to: configURL, atomically: true, encoding: .utf8)
            do {
                process = try Self.launch(configURL: configURL, port: port)
                self.port = port
                return
            } catch let failure as BrokerFailure where failure.description.hasPrefix("mosquitto exited") && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Kills the broker (it loses every session and retained message) and starts it again on the
    /// same port: its clients see the connection drop and reconnect.
    func restart() throws {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        process = try Self.launch(configURL: configURL, port: port)
    }

    private static func launch(configURL: URL, port: Int) throws -> Process {
        let executable = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else { throw BrokerFailure("mosquitto is not installed (apt-get install mosquitto)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", configURL.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntil(timeout: 10, "mosquitto did not listen on 127.0.0.1:\(port)") {
            guard process.isRunning else { throw BrokerFailure("mosquitto exited at once") }
            return canConnect(port: port)
        }
        return process
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The message the broker retains on `topic`: its retain flag as delivered and its payload.
    /// Throws when there is none within 5 s.
    func retained(_ topic: String) throws -> (retained: Bool, payload: String) {
        let output = try Self.run(
            "mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-C", "1", "-W", "5", "-F", "%r %p"])
        guard let line = output.split(separator: "\n").first, line.count >= 2 else {
            throw BrokerFailure("no retained message on \(topic)")
        }
        return (line.hasPrefix("1 "), String(line.dropFirst(2)))
    }

    /// Publishes `payload` on `topic` at QoS 1, retained or not.
    func publish(_ topic: String, _ payload: String, retain: Bool = false) throws {
        _ = try Self.run(
            "mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-t", topic, "-m", payload] + (retain ? ["-r"] : []))
    }

    /// A `mosquitto_sub` on `filter` that takes one message, started and subscribed (its SUBACK
    /// seen) when this returns.
    func subscribeForOneMessage(_ filter: String) throws -> Subscriber {
        let subscriber = try Subscriber(port: port, filter: filter, directory: directory)
        try Self.waitUntil(timeout: 10, "mosquitto_sub did not subscribe: \(subscriber.output)") {
            subscriber.output.contains("received SUBACK")
        }
        return subscriber
    }

    /// One `mosquitto_sub -C 1` in debug mode, printing `topic hex-payload`.
    final class Subscriber {
        private let process = Process()
        private let outputURL: URL

        init(port: Int, filter: String, directory: URL) throws {
            outputURL = directory.appendingPathComponent("sub-\(UUID().uuidString).out")
            _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
            let output = try FileHandle(forWritingTo: outputURL)
            // Line-buffered: its debug lines (the SUBACK) would otherwise wait in stdio's buffer.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/stdbuf")
            process.arguments = [
                "-oL", try TestBroker.tool("mosquitto_sub"), "-d", "-h", "127.0.0.1", "-p", "\(port)", "-t", filter,
                "-C", "1", "-W", "10", "-F", "message %t %x",
            ]
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

        /// The message's topic and payload, once it arrived (at most `timeout` seconds).
        func message(timeout: Double) throws -> (topic: String, payload: [UInt8]) {
            func line() -> Substring? { output.split(separator: "\n").first { $0.hasPrefix("message ") } }
            try TestBroker.waitUntil(timeout: timeout, "no message arrived: \(output)") { line() != nil }
            let parts = try #require(line()).dropFirst("message ".count).split(separator: " ", maxSplits: 1)
            let topic = String(try #require(parts.first))
            let hex = Array((parts.count > 1 ? parts[1] : "").utf8)
            var payload: [UInt8] = []
            for index in stride(from: 0, to: hex.count - 1, by: 2) {
                payload.append(try #require(UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16)))
            }
            return (topic, payload)
        }
    }

    // MARK: Helpers

    /// The path of an installed Mosquitto client.
    static func tool(_ name: String) throws -> String {
        guard let path = ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].first(where: FileManager.default.isExecutableFile)
        else { throw BrokerFailure("\(name) is not installed (apt-get install mosquitto-clients)") }
        return path
    }

    /// Runs a Mosquitto client to completion and returns its standard output; throws unless it exits 0.
    private static func run(_ name: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try tool(name))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrokerFailure("\(name) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Polls `condition` every 20 ms until it holds, or throws `message` after `timeout` seconds.
    static func waitUntil(timeout: Double, _ message: @autoclosure () -> String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { throw BrokerFailure(message()) }
            usleep(20_000)
        }
    }

    /// A port the kernel reports unused on 127.0.0.1.
    private static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BrokerFailure("socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw BrokerFailure("could not bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
