import Foundation

/// A child process whose standard output and error go to a file, stopped when the test ends.
final class ChildProcess {
    let process = Process()
    let logURL: URL

    init(_ executable: URL, _ arguments: [String], logURL: URL, environment: [String: String]? = nil) throws {
        self.logURL = logURL
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        if let environment { process.environment = environment }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var output: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status, or throws after `timeout` seconds.
    func waitForExit(timeout: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                throw TestFailure(
                    "\(process.executableURL?.lastPathComponent ?? "process") did not exit within \(timeout) s; output:\n\(output.suffix(3000))"
                )
            }
            usleep(20_000)
        }
        return process.terminationStatus
    }
}

/// Polls `condition` every 50 ms until it holds, or throws `message` after `timeout` seconds.
func waitUntil(timeout: Double, _ message: @autoclosure () -> String, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try !condition() {
        guard Date() < deadline else { throw TestFailure(message()) }
        usleep(50_000)
    }
}
