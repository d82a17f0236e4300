/// What the storage code reads of `stat(2)`.
public struct FileStatus: Sendable, Equatable {
    /// Size in bytes.
    public var size: Int64
    /// Device of the file system holding it (`st_dev`).
    public var device: UInt64
    /// Inode number (`st_ino`): with `device`, tells two names of one file from two files.
    public var inode: UInt64
    /// True for a directory.
    public var isDirectory: Bool

    /// A status with these fields (a `FileSystem` implementation builds one per `stat`).
    public init(size: Int64, device: UInt64, inode: UInt64, isDirectory: Bool) {
        self.size = size
        self.device = device
        self.inode = inode
        self.isDirectory = isDirectory
    }
}
