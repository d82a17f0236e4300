import Foundation

/// Root-only system tools the storage tests use (mount, mkfs.ext4, fsfreeze…), found in the
/// usual sbin/bin directories and run to completion.
enum SystemTool {
    /// The path of `name`, or nil when it is not installed.
    static func path(_ name: String) -> String? {
        ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs `name` with `arguments`; throws unless it is installed and exits 0.
    static func run(_ name: String, _ arguments: [String]) throws {
        guard let path = path(name) else { throw TestFailure("\(name) is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(path) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}
