import Foundation
import SparkplugB

/// The payloads that scripts/sparkplug-fixtures.py had pysparkplug encode, with the values they hold
/// (Fixtures/pysparkplug-0.6.1.json; the script's docstring describes the format).
struct PysparkplugFixtures: Decodable {
    struct Payload: Decodable {
        var name: String
        var topic: String
        var hex: String
        var timestamp: UInt64
        var seq: UInt64?
        var metrics: [Metric]

        /// The payload's bytes.
        var bytes: [UInt8] {
            get throws {
                let digits = Array(hex.utf8)
                guard digits.count.isMultiple(of: 2) else { throw FixtureError("odd hex length in \(name)") }
                return try stride(from: 0, to: digits.count, by: 2).map { index in
                    guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                        throw FixtureError("bad hex in \(name) at \(index)")
                    }
                    return byte
                }
            }
        }
    }

    struct Metric: Decodable {
        var name: String?
        var alias: UInt64?
        var timestamp: UInt64?
        var datatype: UInt32?
        var isHistorical: Bool
        var isTransient: Bool
        var isNull: Bool
        var value: Value

        enum CodingKeys: String, CodingKey {
            case name, alias, timestamp, datatype, value
            case isHistorical = "is_historical"
            case isTransient = "is_transient"
            case isNull = "is_null"
        }
    }

    /// One of the script's value shapes.
    struct Value: Decodable {
        var number: String?
        var bits: String?
        var boolean: Bool?
        var string: String?
        var dateTime: UInt64?
        var null: Bool?
        var unsupported: UInt32?

        /// What ``SparkplugValue/init(field:isNull:datatype:)`` must give.
        var expected: Result<SparkplugValue, SparkplugValueError> {
            get throws {
                if let bits {
                    guard let pattern = UInt64(bits, radix: 16) else { throw FixtureError("bad bits \(bits)") }
                    return .success(.number(Double(bitPattern: pattern)))
                }
                if let boolean { return .success(.boolean(boolean)) }
                if let string { return .success(.string(string)) }
                if let dateTime { return .success(.dateTime(milliseconds: dateTime)) }
                if null == true { return .success(.null) }
                if let unsupported, let datatype = SparkplugDataType(rawValue: unsupported) {
                    return .failure(.unsupportedDatatype(datatype))
                }
                throw FixtureError("a value of no known shape")
            }
        }
    }

    var generator: String
    var payloads: [Payload]

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pysparkplug-0.6.1.json")

    static func load() throws -> PysparkplugFixtures {
        try JSONDecoder().decode(PysparkplugFixtures.self, from: Data(contentsOf: url))
    }

    func payload(_ name: String) throws -> Payload {
        guard let payload = payloads.first(where: { $0.name == name }) else { throw FixtureError("no payload \(name)") }
        return payload
    }
}

/// A fixture file that is not what the tests expect.
struct FixtureError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
