import Foundation

// The `states` column: a window's states in a compact binary form rather than JSON, because
// state names are bytes that JSON text cannot always carry. For each state: its name's length
// (4 bytes) and bytes, then readings and milliseconds (8 bytes each), all little-endian.

extension StateTime {
    static func encode(_ states: [StateTime]) -> Data? {
        guard !states.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for state in states {
            append(UInt64(UInt32(truncatingIfNeeded: state.name.count)), bytes: 4, to: &bytes)
            bytes += state.name
            append(UInt64(bitPattern: state.readings), bytes: 8, to: &bytes)
            append(UInt64(bitPattern: state.millis), bytes: 8, to: &bytes)
        }
        return Data(bytes)
    }

    /// The states of a `states` value; nil when the bytes are not of this form.
    static func decode(_ data: Data) -> [StateTime]? {
        let bytes = [UInt8](data)
        var states: [StateTime] = []
        var index = 0
        while index < bytes.count {
            guard let length = read(4, from: bytes, at: &index), bytes.count - index >= Int(length) + 16 else { return nil }
            let name = Array(bytes[index..<index + Int(length)])
            index += Int(length)
            guard let readings = read(8, from: bytes, at: &index), let millis = read(8, from: bytes, at: &index) else {
                return nil
            }
            states.append(StateTime(name: name, readings: Int64(bitPattern: readings), millis: Int64(bitPattern: millis)))
        }
        return states
    }

    private static func append(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for shift in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * shift))) }
    }

    private static func read(_ count: Int, from bytes: [UInt8], at index: inout Int) -> UInt64? {
        guard bytes.count - index >= count else { return nil }
        var value: UInt64 = 0
        for shift in 0..<count { value |= UInt64(bytes[index + shift]) << (8 * shift) }
        index += count
        return value
    }
}
