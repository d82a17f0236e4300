/// Writes a message's entries as InfluxDB line protocol: one line per entry,
/// `telemetry,device=<name> <metric>=<value>,… <ts>` with the timestamp in milliseconds (none
/// for an entry without `ts`, which the gateway stamps with the receive time).
///
/// Values: numbers in the shortest round-trip decimal form (`24.1`, `150.0`), states and other
/// strings in double quotes with `"` and `\` escaped, booleans `true`/`false`. The device name
/// and metric names are escaped for commas, spaces and equals signs, as tag values and field
/// keys must be.
enum LinePayload {
    /// The measurement every line carries.
    static let measurement = "telemetry"
    /// The tag naming the device.
    static let deviceTag = "device"

    /// The payload of `entries` for `device`.
    static func encode(entries: [PayloadShape.Entry], device: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48 + 32 * entries.reduce(0) { $0 + $1.values.count })
        for (position, entry) in entries.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: "\n")) }
            bytes.append(contentsOf: "\(measurement),\(deviceTag)=".utf8)
            appendEscaped(device, to: &bytes)
            for (index, pair) in entry.values.enumerated() {
                bytes.append(index == 0 ? UInt8(ascii: " ") : UInt8(ascii: ","))
                appendEscaped(pair.name, to: &bytes)
                bytes.append(UInt8(ascii: "="))
                switch pair.value {
                case .number(let number):
                    precondition(number.isFinite, "line protocol has no spelling for \(number)")
                    bytes.append(contentsOf: number.description.utf8)
                case .bool(let flag):
                    bytes.append(contentsOf: (flag ? "true" : "false").utf8)
                case .string(let text):
                    bytes.append(UInt8(ascii: "\""))
                    for byte in text.utf8 {
                        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                        bytes.append(byte)
                    }
                    bytes.append(UInt8(ascii: "\""))
                }
            }
            if let ts = entry.ts { bytes.append(contentsOf: " \(ts)".utf8) }
        }
        return bytes
    }

    /// Appends a tag value or field key with `,`, `=`, space and `\` escaped.
    private static func appendEscaped(_ name: String, to bytes: inout [UInt8]) {
        for byte in name.utf8 {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\\") {
                bytes.append(UInt8(ascii: "\\"))
            }
            bytes.append(byte)
        }
    }
}
