// Hand-written rather than JSONSerialization/JSONEncoder: the payload bytes must be exactly
// reproducible (key order, number spelling) so that the ledger can quote them verbatim and a
// duplicate can be re-sent byte for byte, and the simulator must keep up with 50k+ msg/s.

/// Appends JSON text to a byte buffer. The caller is responsible for structure (commas,
/// brackets); this type gets escaping and number spelling right.
struct JSONWriter: Sendable {
    /// The text written so far (UTF-8).
    private(set) var bytes: [UInt8] = []

    /// Creates an empty writer with room for `capacity` bytes.
    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends text that is already valid JSON (punctuation, `null`, keys known to need no escaping).
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends one byte of punctuation.
    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends `"key":` with the key escaped.
    mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped JSON string.
    mutating func string(_ text: String) {
        string(utf8: text.utf8)
    }

    /// Appends a quoted, escaped JSON string from raw bytes. Bytes below 0x20, `"` and `\`
    /// are escaped; every other byte is copied, so valid UTF-8 stays valid UTF-8.
    mutating func string<Bytes: Sequence>(utf8 text: Bytes) where Bytes.Element == UInt8 {
        bytes.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends bytes as a quoted string of lowercase hexadecimal digits, two per byte.
    mutating func hex(_ data: [UInt8]) {
        bytes.reserveCapacity(bytes.count + 2 * data.count + 2)
        bytes.append(UInt8(ascii: "\""))
        for byte in data {
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a finite number in Swift's shortest round-trip spelling (`24.1`, `61.0`, `1e+16`).
    mutating func number(_ value: Double) {
        precondition(value.isFinite, "JSON has no spelling for \(value)")
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Appends an integer.
    mutating func integer<Value: BinaryInteger>(_ value: Value) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends `null`.
    mutating func null() {
        raw("null")
    }

    /// Appends a reading's value as its JSON type.
    mutating func value(_ value: ReadingValue) {
        switch value {
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .bool(let flag): raw(flag ? "true" : "false")
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
