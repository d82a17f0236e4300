import Foundation

/// A 64 MiB ext4 file system in an image file, loop-mounted at `mountPoint`, that can be frozen.
final class FreezableDisk {
    let image: URL
    let mountPoint: URL
    private var frozen = false

    static func tool(_ name: String) -> String? {
        ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init(image: URL, mountPoint: URL) throws {
        self.image = image
        self.mountPoint = mountPoint
        guard FileManager.default.createFile(atPath: image.path, contents: nil),
              truncate(image.path, 64 << 20) == 0 else {
            throw TestFailure("cannot create the 64 MiB image \(image.path)")
        }
        try Self.run("mkfs.ext4", ["-q", "-F", image.path])
        try Self.run("mount", ["-o", "loop", image.path, mountPoint.path])
    }

    /// From here on every write, fsync and first store into a clean mapped page on the file
    /// system blocks (uninterruptibly) until `thaw`.
    func freeze() throws {
        try Self.run("fsfreeze", ["-f", mountPoint.path])
        frozen = true
    }

    func thaw() {
        guard frozen else { return }
        if (try? Self.run("fsfreeze", ["-u", mountPoint.path])) != nil { frozen = false }
    }

    /// Thaws, unmounts (retrying while a process that is being killed still holds files) and
    /// deletes the image. For `defer`: never throws.
    func remove() {
        thaw()
        for _ in 0..<50 {
            if (try? Self.run("umount", [mountPoint.path])) != nil { break }
            usleep(100_000)
        }
        try? FileManager.default.removeItem(at: image)
    }

    @discardableResult
    private static func run(_ name: String, _ arguments: [String]) throws -> Int32 {
        guard let path = tool(name) else { throw TestFailure("\(name) is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(path) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return process.terminationStatus
    }
}
