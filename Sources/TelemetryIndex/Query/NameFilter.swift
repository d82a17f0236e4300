/// Which park, site, device or metric names a query selects: exact names and `*` globs, comma-separated.
///
/// Names are compared as UTF-8 bytes, as ingest keys them (see `Telemetry.Name`): "café" spelled with
/// U+00E9 and with "e" + U+0301 are two names, which `String` equality would merge.
public struct NameFilter: Sendable, Hashable, CustomStringConvertible {
    /// The patterns as given (UTF-8 bytes, duplicates removed, order kept); empty for any name.
    public let patterns: [[UInt8]]
    /// The patterns split at their stars, for matching.
    private let globs: [Glob]

    /// The filter that selects every name (an absent or empty parameter, or one with a `*` item).
    public static let any = NameFilter(patterns: [])

    /// What the name parameters accept, as said in error messages.
    static let expected = "names or * globs separated by commas (f01,f02,line3-*)"

    /// True when the filter selects every name, so that a query need not test names at all.
    public var isAny: Bool { patterns.isEmpty }

    /// A filter of `patterns` (UTF-8 bytes; `*` matches any run of bytes); no patterns selects any name.
    public init(patterns: [[UInt8]]) {
        var unique: [[UInt8]] = []
        for pattern in patterns where !unique.contains(pattern) {
            unique.append(pattern)
        }
        // A pattern of stars alone (`*`, `**`) selects every name, and so does the whole list.
        if unique.contains(where: { !$0.isEmpty && $0.allSatisfy { $0 == UInt8(ascii: "*") } }) { unique = [] }
        self.patterns = unique
        self.globs = unique.map(Glob.init)
    }

    /// Parses the text of `parameter` (`park`, `site`, `device` or `metric`); empty text selects any name,
    /// an empty item in a list (`a,,b`, `a,`) is an error.
    public static func parse(_ text: String, parameter: String) throws(QueryParameterError) -> NameFilter {
        if text.isEmpty { return .any }
        let items = text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard !items.contains(where: \.isEmpty) else {
            throw QueryParameterError(
                parameter: parameter, value: text, problem: "\"\(text)\" has an empty item in its list",
                expected: expected)
        }
        return NameFilter(patterns: items.map { Array($0) })
    }

    /// True when `name`'s UTF-8 bytes equal one of the exact names or match one of the globs.
    public func matches<C: Collection>(_ name: C) -> Bool where C.Element == UInt8 {
        if globs.isEmpty { return true }
        if let result = name.withContiguousStorageIfAvailable({ matches(buffer: $0) }) { return result }
        return Array(name).withUnsafeBufferPointer { matches(buffer: $0) }
    }

    /// True when the UTF-8 bytes of `name` are selected: a convenience over ``matches(_:)`` for a `String`.
    public func matches(_ name: String) -> Bool {
        matches(name.utf8)
    }

    /// The patterns joined by commas as the parameter would spell them; `*` for any name.
    public var description: String {
        isAny ? "*" : patterns.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",")
    }

    /// Filters are equal when their patterns are (the globs are derived from them).
    public static func == (lhs: NameFilter, rhs: NameFilter) -> Bool {
        lhs.patterns == rhs.patterns
    }

    /// Hashes the patterns.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(patterns)
    }

    private func matches(buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        globs.contains { $0.matches(buffer) }
    }

    /// One pattern split at its stars: a prefix, the pieces between stars, a suffix.
    ///
    /// With every piece between two stars, the leftmost occurrence of each piece is as good as any
    /// other, so matching is a single left-to-right scan: no backtracking, at worst O(name × pattern).
    private struct Glob: Sendable {
        let prefix: [UInt8]
        let middle: [[UInt8]]
        let suffix: [UInt8]
        let hasStar: Bool

        init(_ pattern: [UInt8]) {
            let pieces = pattern.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false)
            hasStar = pieces.count > 1
            prefix = Array(pieces.first ?? [])
            suffix = hasStar ? Array(pieces.last ?? []) : []
            middle = hasStar ? pieces.dropFirst().dropLast().filter { !$0.isEmpty }.map { Array($0) } : []
        }

        func matches(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
            guard hasStar else { return name.elementsEqual(prefix) }
            guard name.count >= prefix.count + suffix.count, name.starts(with: prefix),
                name[(name.count - suffix.count)...].elementsEqual(suffix)
            else { return false }
            var position = prefix.count
            let end = name.count - suffix.count
            for piece in middle {
                guard let found = Self.firstIndex(of: piece, in: name, from: position, to: end) else { return false }
                position = found + piece.count
            }
            return true
        }

        /// Where `piece` first occurs in `name[from ..< to]`, or nil.
        private static func firstIndex(
            of piece: [UInt8], in name: UnsafeBufferPointer<UInt8>, from: Int, to: Int
        ) -> Int? {
            guard to - from >= piece.count else { return nil }
            for start in from...(to - piece.count) where name[start] == piece[0] {
                var equal = true
                for offset in 1..<piece.count where name[start + offset] != piece[offset] {
                    equal = false
                    break
                }
                if equal { return start }
            }
            return nil
        }
    }
}
