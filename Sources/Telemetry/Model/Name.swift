// Why bytes: MQTT compares topic names byte by byte, so two devices whose ids differ only in
// Unicode normalisation ("café" with é as U+00E9 or as "e" + U+0301; "Å" as U+00C5 or as the
// Ångström sign U+212B) publish on two different topics and are two devices. Swift's `String`
// compares, hashes and orders by canonical equivalence, under which those spellings are equal:
// a dictionary keyed by `String` merges them, and the second device's readings are then taken
// for duplicates of the first's. The gateway therefore identifies every park, site, device,
// metric and state name by its UTF-8 bytes, exactly as it arrived.
//
// Order is the bytes' lexicographic order, which for UTF-8 is also the order of the Unicode
// scalar values; for ASCII names it is the order `String` uses as well.

/// A park, site, device, metric or state name, identified by its UTF-8 bytes: equal, hashed and
/// ordered by them, never by Unicode canonical equivalence as `String` is.
///
/// Two spellings that `String` treats as equal (precomposed "é" U+00E9 and "e" + U+0301) are
/// two different names, as they are two different MQTT topics. Used as the key of the maps
/// that hold names (`StatePartial.stateCounts`, `StatePartial.stateMillis`), so that output
/// sorted by key is in byte order and deterministic. The static helpers give the same
/// comparisons on plain `String`s (`DeviceKey`, `SeriesKey`).
public struct Name: Sendable, Hashable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name's text, in the exact spelling (bytes) it was created with.
    public let string: String

    /// The name spelled exactly as `string` (its UTF-8 bytes).
    public init(_ string: String) {
        self.string = string
    }

    /// A name from a literal (tests, fixed names).
    public init(stringLiteral value: String) {
        self.string = value
    }

    /// The name's text.
    public var description: String { string }

    /// True when both names have the same UTF-8 bytes. O(length).
    public static func == (lhs: Name, rhs: Name) -> Bool {
        bytesEqual(lhs.string, rhs.string)
    }

    /// Hashes the name's byte count and UTF-8 bytes. O(length).
    public func hash(into hasher: inout Hasher) {
        Self.hashBytes(of: string, into: &hasher)
    }

    /// Byte order: the lexicographic order of the UTF-8 bytes (a prefix comes first). O(length).
    public static func < (lhs: Name, rhs: Name) -> Bool {
        compareBytes(lhs.string, rhs.string) < 0
    }

    // MARK: Byte comparisons of plain strings

    /// True when `lhs` and `rhs` have the same UTF-8 bytes.
    public static func bytesEqual(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in rhs.withUTF8 { right in left.elementsEqual(right) } }
    }

    /// Negative, zero or positive as `lhs`'s UTF-8 bytes come before, equal or come after
    /// `rhs`'s in lexicographic order (a prefix comes first).
    public static func compareBytes(_ lhs: String, _ rhs: String) -> Int {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                for index in 0..<min(left.count, right.count) where left[index] != right[index] {
                    return left[index] < right[index] ? -1 : 1
                }
                return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
            }
        }
    }

    /// Feeds `string`'s byte count and UTF-8 bytes to `hasher`. The count first keeps the
    /// fields of a composite key apart: ("ab", "c") and ("a", "bc") hash differently.
    public static func hashBytes(of string: String, into hasher: inout Hasher) {
        var string = string
        hasher.combine(string.utf8.count)
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
