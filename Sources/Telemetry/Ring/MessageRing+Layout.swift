/// The ring's memory layout by name: which 128-byte line of the block holds what (the layout
/// and the reasons for it are at the top of MessageRing.swift).
extension MessageRing {
    /// The 128-byte lines of the block, in the order of the layout.
    enum Line {
        static let writeIndex = 0
        static let producer = 1
        static let readIndex = 2
        static let consumer = 3
        /// `closed` at offset 0, `syncFailures` at offset 8.
        static let flags = 4
        static let fileHeader = 5
        /// The first line of records.
        static let data = 6
    }
}
