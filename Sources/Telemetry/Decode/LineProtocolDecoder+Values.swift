// Field values and timestamps of line protocol (the rules are in LineProtocolDecoder.swift's
// header): a quoted string unescaped in place, a boolean, an integer (`i`), an unsigned
// integer (`u`) or a float in JSON number form; the timestamp in the subscription's precision.

extension LineProtocolDecoder {
    /// Reads one field value: a quoted string (unescaped in place), a boolean, an integer
    /// (`i`), an unsigned integer (`u`) or a float.
    func readFieldValue(_ reader: inout LineReader, text: inout [UInt8]) throws(PayloadError) -> ScannedValue {
        guard !reader.isAtEnd else { throw reader.error("missing field value") }
        let payload = reader.payload
        if payload[reader.position] == Self.quote {
            reader.position += 1
            let start = reader.position
            while reader.position < reader.end, payload[reader.position] != Self.quote, payload[reader.position] != Self.backslash
            {
                reader.position += 1
            }
            var write = reader.position
            while true {
                guard reader.position < reader.end else { throw reader.error("unterminated string field value") }
                var byte = payload[reader.position]
                if byte == Self.quote { break }
                if byte == Self.backslash && reader.position + 1 < reader.end {
                    let next = payload[reader.position + 1]
                    if next == Self.quote || next == Self.backslash {
                        byte = next
                        reader.position += 1
                    }
                }
                text[write] = byte
                write += 1
                reader.position += 1
            }
            reader.position += 1  // the closing quote
            return .string(StringToken(start: start, end: write, hasEscapes: false))
        }
        let start = reader.position
        while reader.position < reader.end, payload[reader.position] != Self.comma, payload[reader.position] != Self.space {
            reader.position += 1
        }
        guard reader.position > start else { throw reader.error("missing field value") }
        let token = UnsafeRawBufferPointer(rebasing: payload[start..<reader.position])
        if let flag = Self.boolean(token) { return .bool(flag) }
        let last = token[token.count - 1]
        if last == UInt8(ascii: "i") || last == UInt8(ascii: "u") {
            let digits = UnsafeRawBufferPointer(rebasing: token[0..<(token.count - 1)])
            guard let value = Self.integer(digits, signed: last == UInt8(ascii: "i")).map(\.value) else {
                throw reader.error(
                    "invalid \(last == UInt8(ascii: "i") ? "integer" : "unsigned integer") \(Self.quoted(token)): "
                        + "expected digits within 64 bits before the \(last == UInt8(ascii: "i") ? "i" : "u")")
            }
            return .number(value)
        }
        var scanner = JSONScanner(payload)
        scanner.position = start
        guard let number = try? scanner.readNumber(), scanner.position == reader.position else {
            throw reader.error("invalid field value \(Self.quoted(token)): expected a number, 12i, 12u, true, false or \"text\"")
        }
        return .number(number.value)
    }

    /// The timestamp at the reader, in milliseconds.
    func readTimestamp(_ reader: inout LineReader) throws(PayloadError) -> Int64 {
        let start = reader.position
        while reader.position < reader.end, reader.payload[reader.position] != Self.space,
            reader.payload[reader.position] != Self.tab
        {
            reader.position += 1
        }
        let token = UnsafeRawBufferPointer(rebasing: reader.payload[start..<reader.position])
        guard let value = Self.integer(token, signed: true)?.exact else {
            throw reader.error("invalid timestamp \(Self.quoted(token)): expected an integer in \(options.precision.rawValue)")
        }
        guard let millis = options.precision.milliseconds(value) else {
            throw reader.error("timestamp \(value) \(options.precision.rawValue) is out of range")
        }
        return millis
    }

    /// A decimal integer (optional `-` when `signed`) when it fits 64 bits: as a reading's value,
    /// and exactly when it fits an `Int64` (a timestamp).
    private static func integer(_ token: UnsafeRawBufferPointer, signed: Bool) -> (value: Double, exact: Int64?)? {
        var index = 0
        let isNegative = signed && !token.isEmpty && token[0] == UInt8(ascii: "-")
        if isNegative { index = 1 }
        guard index < token.count else { return nil }
        var magnitude: UInt64 = 0
        while index < token.count {
            let digit = token[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow, !carry else { return nil }
            magnitude = sum
            index += 1
        }
        if isNegative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return (-Double(magnitude), magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude))
        }
        if signed && magnitude > UInt64(Int64.max) { return nil }
        return (Double(magnitude), Int64(exactly: magnitude))
    }

    /// The boolean a field value spells, or nil.
    private static func boolean(_ token: UnsafeRawBufferPointer) -> Bool? {
        // Every spelling starts with t, T, f or F, which no number does.
        guard token.count <= 5, let first = token.first, first | 0x20 == UInt8(ascii: "t") || first | 0x20 == UInt8(ascii: "f")
        else { return nil }
        switch String(decoding: token, as: UTF8.self) {
        case "t", "T", "true", "True", "TRUE": return true
        case "f", "F", "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `token` quoted for a detail, at most 40 bytes of it.
    private static func quoted(_ token: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: token.prefix(40), as: UTF8.self)
        return "\"\(text)\(token.count > 40 ? "…" : "")\""
    }
}
