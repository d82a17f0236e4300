// A hand-written JSON reader for the three ThingsBoard payload shapes of the wire contract.
//
// Why not Foundation: JSONSerialization builds a tree of NSObjects per message (≈ 0.7 M
// readings/s on one core of this machine kind, 20-reading payloads) and cannot tell `true`
// from `1` reliably on Linux, which `wrong_type` needs. This reader walks the bytes once,
// keeps exact JSON types and rejects anything outside RFC 8259 with a byte offset.
//
// Two entry points share one parser: `scan` (the pipeline's) records names and string values
// as positions in the payload and allocates nothing; `decode` (tools and tests) runs `scan` and
// then builds the `String`s of a `DecodedPayload`.

/// Decodes a message payload into readings; one instance is reused for every message.
///
/// Accepted shapes (DESIGN.md, "Wire contract"):
/// `{"temperature_c": 24.1}`, `{"ts": 1763700000123, "values": {…}}` and an array of the
/// latter. An optional top-level `"seq"` (non-negative integer) may appear once per message.
public struct PayloadDecoder: Sendable {
    /// Most readings one message may carry (`ingest.max_readings_per_message`).
    public var maxReadings: Int
    /// Deepest nesting tolerated inside a value before the payload is called malformed.
    public static let maxDepth = 32

    public init(maxReadings: Int) {
        self.maxReadings = maxReadings
    }

    /// Decodes `bytes` into `payload` (emptied first; left empty on error). O(payload length).
    public func decode(_ bytes: UnsafeRawBufferPointer, into payload: inout DecodedPayload) throws(PayloadError) {
        payload.removeAll()
        var scanned = ScannedPayload()
        try scan(bytes, into: &scanned)
        payload.seq = scanned.seq
        let scanner = JSONScanner(bytes)
        for reading in scanned.readings {
            var decoded = DecodedReading(
                metric: scanner.string(from: reading.name), timestampMillis: reading.timestampMillis,
                value: reading.value.decoded(by: scanner))
            decoded.isRepeat = reading.isRepeat
            payload.readings.append(decoded)
        }
    }

    /// Scans `bytes` into `payload` (emptied first), leaving names and strings in `bytes`.
    /// O(payload length); allocates nothing once `payload` has grown to the message's readings.
    func scan(_ bytes: UnsafeRawBufferPointer, into payload: inout ScannedPayload) throws(PayloadError) {
        payload.removeAll()
        var scanner = JSONScanner(bytes)
        // A UTF-8 byte order mark may start JSON text (RFC 8259 §8.1): ignored.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { scanner.position = 3 }
        scanner.skipWhitespace()
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            try readMessageObject(&scanner, into: &payload, inArray: false)
        case UInt8(ascii: "["):
            scanner.advance()
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "]") {
                throw .malformed("empty array: expected [{\"ts\": …, \"values\": {…}}, …]")
            }
            while true {
                scanner.skipWhitespace()
                guard scanner.peek() == UInt8(ascii: "{") else {
                    throw .malformed("array element at byte \(scanner.position) must be an object {\"ts\": …, \"values\": {…}}")
                }
                try readMessageObject(&scanner, into: &payload, inArray: true)
                scanner.skipWhitespace()
                if scanner.consume(UInt8(ascii: ",")) { continue }
                guard scanner.consume(UInt8(ascii: "]")) else { throw scanner.unexpected("',' or ']'") }
                break
            }
        case nil:
            throw .malformed("empty payload")
        default:
            throw .malformed("expected a JSON object or array at byte \(scanner.position)")
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else {
            throw .malformed("unexpected data after the JSON value at byte \(scanner.position)")
        }
        if payload.readings.isEmpty {
            throw .malformed("no readings in the payload")
        }
    }

    /// Reads `{"ts":…, "seq":…, "values":{…}}` or a plain `{"metric": value, …}` object.
    private func readMessageObject(
        _ scanner: inout JSONScanner, into payload: inout ScannedPayload, inArray: Bool
    ) throws(PayloadError) {
        scanner.advance()  // "{"
        let firstReading = payload.readings.count
        var timestamp: Int64?
        var sawValues = false
        var plainKey: StringToken?
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: "}")) {
            throw .malformed("empty object at byte \(scanner.position - 1)")
        }
        while true {
            let key = try scanner.readKey()
            if scanner.tokenEquals(key, "seq") {
                guard payload.seq == nil else { throw .malformed("\"seq\" given more than once") }
                payload.seq = try scanner.readUnsignedInteger(name: "seq")
            } else if scanner.tokenEquals(key, "ts") {
                guard timestamp == nil else { throw .malformed("\"ts\" given more than once in one object") }
                timestamp = try scanner.readTimestamp()
            } else if scanner.tokenEquals(key, "values") {
                guard !sawValues else { throw .malformed("\"values\" given more than once in one object") }
                sawValues = true
                guard scanner.peek() == UInt8(ascii: "{") else {
                    throw .malformed("\"values\" must be an object of metric names to values (byte \(scanner.position))")
                }
                try readValuesObject(&scanner, into: &payload)
            } else {
                if inArray {
                    throw .malformed(
                        "unexpected key \"\(scanner.string(from: key))\" in an array element; expected \"ts\", \"seq\" and \"values\""
                    )
                }
                plainKey = plainKey ?? key
                try append(name: key, value: scanner.readValue(), to: &payload)
            }
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ",")) { continue }
            guard scanner.consume(UInt8(ascii: "}")) else { throw scanner.unexpected("',' or '}'") }
            break
        }
        if sawValues {
            if let plainKey {
                throw .malformed(
                    "unexpected key \"\(scanner.string(from: plainKey))\" beside \"values\"; put metrics inside \"values\"")
            }
        } else if inArray {
            throw .malformed("array element without \"values\"")
        } else if timestamp != nil {
            throw .malformed("\"ts\" without \"values\": use {\"ts\": …, \"values\": {…}}")
        }
        markRepeatedNames(firstReading..<payload.readings.count, scanner: scanner, in: &payload)
        if let timestamp {
            for index in firstReading..<payload.readings.count {
                payload.readings[index].timestampMillis = timestamp
            }
        }
    }

    /// Reads the `{"metric": value, …}` object inside `"values"`.
    private func readValuesObject(_ scanner: inout JSONScanner, into payload: inout ScannedPayload) throws(PayloadError) {
        scanner.advance()  // "{"
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: "}")) { return }
        while true {
            let name = try scanner.readKey()
            try append(name: name, value: scanner.readValue(), to: &payload)
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ",")) { continue }
            guard scanner.consume(UInt8(ascii: "}")) else { throw scanner.unexpected("',' or '}'") }
            return
        }
    }

    /// Marks each reading of one object whose name (escapes resolved, compared by bytes)
    /// appeared earlier in that object: the first is the reading, the others `duplicate_metric`.
    ///
    /// Up to 32 readings, each name sets one bit of a 64-bit filter chosen by a hash of its
    /// bytes; only a name whose bit is already set (or any name once an escaped one was seen)
    /// is compared with the earlier names. A message of distinct names, the usual case, costs
    /// one hash per name: the pairwise comparison cost about a fifth of a 20-reading message.
    /// Beyond 32 readings, a set of the names.
    private func markRepeatedNames(_ range: Range<Int>, scanner: JSONScanner, in payload: inout ScannedPayload) {
        guard range.count > 1 else { return }
        if range.count <= 32 {
            var filter: UInt64 = 0
            var sawEscapes = false
            for later in range {
                let name = payload.readings[later].name
                let bit: UInt64 = 1 << scanner.filterBit(of: name)
                sawEscapes = sawEscapes || name.hasEscapes
                if filter & bit != 0 || sawEscapes {
                    for earlier in range.lowerBound..<later where scanner.sameName(payload.readings[earlier].name, name) {
                        payload.readings[later].isRepeat = true
                        break
                    }
                }
                filter |= bit
            }
            return
        }
        var seen = Set<Name>(minimumCapacity: range.count)
        for index in range where !seen.insert(Name(scanner.string(from: payload.readings[index].name))).inserted {
            payload.readings[index].isRepeat = true
        }
    }

    private func append(name: StringToken, value: ScannedValue, to payload: inout ScannedPayload) throws(PayloadError) {
        guard payload.readings.count < maxReadings else { throw .tooManyReadings(limit: maxReadings) }
        payload.readings.append(ScannedReading(name: name, timestampMillis: nil, value: value))
    }
}
