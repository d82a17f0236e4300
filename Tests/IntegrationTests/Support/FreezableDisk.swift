import Foundation

/// A 64 MiB ext4 file system in an image file, loop-mounted at `mountPoint`, that can be frozen.
final class FreezableDisk {
    let image: URL
    let mountPoint: URL
    private var frozen = false

    init(image: URL, mountPoint: URL) throws {
        self.image = image
        self.mountPoint = mountPoint
        guard FileManager.default.createFile(atPath: image.path, contents: nil),
            truncate(image.path, 64 << 20) == 0
        else {
            throw TestFailure("cannot create the 64 MiB image \(image.path)")
        }
        try SystemTool.run("mkfs.ext4", ["-q", "-F", image.path])
        try SystemTool.run("mount", ["-o", "loop", image.path, mountPoint.path])
    }

    /// From here on every write, fsync and first store into a clean mapped page on the file
    /// system blocks (uninterruptibly) until `thaw`.
    func freeze() throws {
        try SystemTool.run("fsfreeze", ["-f", mountPoint.path])
        frozen = true
    }

    func thaw() {
        guard frozen else { return }
        if (try? SystemTool.run("fsfreeze", ["-u", mountPoint.path])) != nil { frozen = false }
    }

    /// Thaws, unmounts (retrying while a process that is being killed still holds files) and
    /// deletes the image. For `defer`: never throws.
    func remove() {
        thaw()
        for _ in 0..<50 {
            if (try? SystemTool.run("umount", [mountPoint.path])) != nil { break }
            usleep(100_000)
        }
        try? FileManager.default.removeItem(at: image)
    }
}
