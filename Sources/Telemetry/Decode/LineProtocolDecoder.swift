// A hand-written reader of InfluxDB line protocol
// (`measurement,tag=v,… field=value,… timestamp`, one point per line).
//
// Why hand-written: no package in reach parses it (the Swift InfluxDB clients only write it),
// and the pipeline needs what the JSON reader gives it: names as positions in one buffer,
// nothing allocated per message, and a precise reason for every malformed line. The rules
// followed are the line protocol reference's:
//
// * Lines end at `\n` (a `\r` before it is dropped); blank lines and lines starting with `#`
//   (after leading spaces) are skipped. Sections are separated by one or more spaces.
// * A backslash escapes the next byte when it is special where it stands: `,` and space in a
//   measurement; `,`, `=` and space in tag keys, tag values and field keys; `"` in a string
//   value; and a backslash itself everywhere. Before any other byte it is a literal backslash.
// * Field values: floats in the JSON number form clients write (`71.5`, `-3`, `1e+06`),
//   integers `12i`, unsigned integers `12u`, booleans `t` `T` `true` `True` `TRUE` (and the
//   same for false), and strings in double quotes. Measurement, keys and tag values are non-empty.
// * The payload must be UTF-8 (names are compared by their bytes, so a malformed sequence
//   would otherwise be repaired into another name).
// * The timestamp is an optional integer in the subscription's precision, converted to
//   milliseconds (rounded down); a line without one is stamped with the receive time.
//
// A message is accepted whole or quarantined whole: any malformed line makes the message
// `malformed_payload`, with the line's number and what was expected.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Decodes InfluxDB line protocol into readings for a subscription's `LineProtocolOptions`;
/// one instance serves every message of that subscription.
struct LineProtocolDecoder: Sendable {
    var maxReadings: Int
    let options: LineProtocolOptions
    /// The configured identity tag keys, as bytes.
    private let parkTag: [UInt8]?
    private let siteTag: [UInt8]?
    private let deviceTag: [UInt8]?

    init(maxReadings: Int, options: LineProtocolOptions) {
        self.maxReadings = maxReadings
        self.options = options
        self.parkTag = options.parkTag.map { Array($0.utf8) }
        self.siteTag = options.siteTag.map { Array($0.utf8) }
        self.deviceTag = options.deviceTag.map { Array($0.utf8) }
    }

    private static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    private static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    /// Where a name stands, which decides the bytes a backslash escapes there.
    private enum Place {
        case measurement, key, tagValue

        func isSpecial(_ byte: UInt8) -> Bool {
            switch self {
            case .measurement: return byte == LineProtocolDecoder.comma || byte == LineProtocolDecoder.space
            case .key, .tagValue:
                return byte == LineProtocolDecoder.comma || byte == LineProtocolDecoder.space
                    || byte == LineProtocolDecoder.equals
            }
        }
    }

    /// Scans `payload` into `lines` (emptied first). O(payload length); allocates nothing once
    /// `lines` has grown to the message's size.
    func scan(_ payload: UnsafeRawBufferPointer, into lines: inout ScannedLines) throws(PayloadError) {
        lines.removeAll()
        if let invalid = Self.firstInvalidUTF8(payload) {
            throw .malformed("invalid UTF-8 at byte \(invalid): names and strings must be UTF-8")
        }
        lines.text.append(contentsOf: payload)
        var position = 0
        var number = 0
        while position < payload.count {
            number += 1
            var lineEnd = position
            while lineEnd < payload.count && payload[lineEnd] != Self.newline { lineEnd += 1 }
            var contentEnd = lineEnd
            if contentEnd > position && payload[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            var reader = LineReader(payload: payload, position: position, end: contentEnd, number: number)
            reader.skipSpaces()
            if !reader.isAtEnd && payload[reader.position] != UInt8(ascii: "#") {
                try readLine(&reader, into: &lines)
            }
            position = lineEnd + 1
        }
        guard !lines.readings.isEmpty else { throw .malformed("no readings in the payload: expected lines of line protocol") }
    }

    /// The bytes of one line, read left to right.
    struct LineReader {
        let payload: UnsafeRawBufferPointer
        var position: Int
        /// Just past the line's last byte (its `\n` and any `\r` excluded).
        let end: Int
        let number: Int

        var isAtEnd: Bool { position >= end }

        mutating func skipSpaces() {
            while position < end
                && (payload[position] == LineProtocolDecoder.space || payload[position] == LineProtocolDecoder.tab)
            {
                position += 1
            }
        }

        func error(_ problem: String) -> PayloadError {
            .malformed("line \(number): \(problem) (byte \(position))")
        }
    }

    private func readLine(_ reader: inout LineReader, into lines: inout ScannedLines) throws(PayloadError) {
        let measurement = try readName(&reader, place: .measurement, into: &lines.text, what: "measurement")
        var line = ScannedLine(number: reader.number, readings: lines.readings.count..<lines.readings.count)
        if !reader.isAtEnd && reader.payload[reader.position] == Self.comma {
            reader.position += 1
            try readTags(&reader, into: &line, text: &lines.text)
        }
        guard !reader.isAtEnd else {
            throw reader.error("no fields: expected a space and field=value after the measurement and tags")
        }
        reader.skipSpaces()
        let firstReading = lines.readings.count
        try readFields(&reader, measurement: measurement, into: &lines)
        reader.skipSpaces()
        var timestamp: Int64?
        if !reader.isAtEnd {
            timestamp = try readTimestamp(&reader)
            reader.skipSpaces()
            guard reader.isAtEnd else { throw reader.error("unexpected text after the timestamp") }
        }
        if timestamp == nil { lines.allTimestamped = false }
        for index in firstReading..<lines.readings.count { lines.readings[index].timestampMillis = timestamp }
        markRepeatedNames(firstReading..<lines.readings.count, in: &lines)
        line.readings = firstReading..<lines.readings.count
        lines.lines.append(line)
    }

    /// Reads `key=value` pairs separated by commas up to the space before the fields, keeping
    /// the values of the identity tags.
    private func readTags(_ reader: inout LineReader, into line: inout ScannedLine, text: inout [UInt8]) throws(PayloadError) {
        while true {
            let key = try readName(&reader, place: .key, into: &text, what: "tag key")
            guard !reader.isAtEnd, reader.payload[reader.position] == Self.equals else {
                throw reader.error("expected '=' after the tag key")
            }
            reader.position += 1
            let value = try readName(&reader, place: .tagValue, into: &text, what: "tag value")
            if !reader.isAtEnd && reader.payload[reader.position] == Self.equals {
                throw reader.error("'=' in a tag value must be escaped as \\=")
            }
            if let tag = deviceTag, Self.equal(text, key, tag) {
                guard line.device == nil else { throw reader.error("tag \(options.deviceTag ?? "") given twice") }
                line.device = value
            } else if let tag = siteTag, Self.equal(text, key, tag) {
                guard line.site == nil else { throw reader.error("tag \(options.siteTag ?? "") given twice") }
                line.site = value
            } else if let tag = parkTag, Self.equal(text, key, tag) {
                guard line.park == nil else { throw reader.error("tag \(options.parkTag ?? "") given twice") }
                line.park = value
            }
            guard !reader.isAtEnd, reader.payload[reader.position] == Self.comma else { return }
            reader.position += 1
        }
    }

    /// Reads `key=value` pairs separated by commas up to a space or the end of the line.
    private func readFields(
        _ reader: inout LineReader, measurement: StringToken, into lines: inout ScannedLines
    ) throws(PayloadError) {
        while true {
            let key = try readName(&reader, place: .key, into: &lines.text, what: "field key")
            guard !reader.isAtEnd, reader.payload[reader.position] == Self.equals else {
                throw reader.error("expected '=' after the field key")
            }
            reader.position += 1
            let value = try readFieldValue(&reader, text: &lines.text)
            guard lines.readings.count < maxReadings else { throw .tooManyReadings(limit: maxReadings) }
            let name: StringToken
            switch options.metricNaming {
            case .field:
                name = key
            case .measurementField:
                let start = lines.text.count
                lines.text.append(contentsOf: lines.text[measurement.start..<measurement.end])
                lines.text.append(UInt8(ascii: "_"))
                lines.text.append(contentsOf: lines.text[key.start..<key.end])
                name = StringToken(start: start, end: lines.text.count, hasEscapes: false)
            }
            lines.readings.append(ScannedReading(name: name, timestampMillis: nil, value: value))
            guard !reader.isAtEnd, reader.payload[reader.position] == Self.comma else { return }
            reader.position += 1
        }
    }

    /// Reads a measurement, key or tag value up to the first unescaped byte special there (or
    /// the end of the line), unescaping it in place in `text`. Empty ones are malformed.
    private func readName(
        _ reader: inout LineReader, place: Place, into text: inout [UInt8], what: String
    ) throws(PayloadError) -> StringToken {
        let start = reader.position
        let payload = reader.payload
        // `text` holds a copy of the payload: a name without escapes is already in place.
        while reader.position < reader.end {
            let byte = payload[reader.position]
            if byte == Self.backslash || place.isSpecial(byte) { break }
            reader.position += 1
        }
        var write = reader.position
        while reader.position < reader.end {
            var byte = payload[reader.position]
            if byte == Self.backslash && reader.position + 1 < reader.end {
                let next = payload[reader.position + 1]
                if next == Self.backslash || place.isSpecial(next) {
                    byte = next
                    reader.position += 1
                }
            } else if place.isSpecial(byte) {
                break
            }
            text[write] = byte
            write += 1
            reader.position += 1
        }
        guard write > start else { throw reader.error("empty \(what)") }
        return StringToken(start: start, end: write, hasEscapes: false)
    }

    /// The offset of the first byte of `payload` that is not well-formed UTF-8, or nil: eight
    /// ASCII bytes at a time, then the JSON reader's check from the first non-ASCII byte on.
    private static func firstInvalidUTF8(_ payload: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        while index + 8 <= payload.count,
            payload.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        {
            index += 8
        }
        return JSONScanner(payload).firstInvalidUTF8(from: index, to: payload.count)
    }

    /// Whether `token` in `text` holds exactly `bytes`.
    @inline(__always)
    private static func equal(_ text: [UInt8], _ token: StringToken, _ bytes: [UInt8]) -> Bool {
        guard token.end - token.start == bytes.count else { return false }
        return text.withUnsafeBytes { buffer in
            bytes.withUnsafeBytes { wanted in
                guard let base = buffer.baseAddress, let other = wanted.baseAddress else { return bytes.isEmpty }
                return memcmp(base + token.start, other, bytes.count) == 0
            }
        }
    }

    /// Marks each reading of one line whose name appeared earlier in that line: the first is
    /// the reading, the others `duplicate_metric`.
    ///
    /// As `PayloadDecoder` does for a JSON object: each name sets one bit of a 64-bit filter, and
    /// only a name whose bit is already set is compared with the earlier ones (the names hold no
    /// escapes any more, so their bytes compare).
    private func markRepeatedNames(_ range: Range<Int>, in lines: inout ScannedLines) {
        guard range.count > 1 else { return }
        // Beyond 32 names the filter fills up and the pairwise comparisons would grow with the
        // square of a hostile line's fields: a set of the names' bytes instead.
        if range.count > 32 {
            var seen = Set<[UInt8]>(minimumCapacity: range.count)
            for index in range {
                let name = lines.readings[index].name
                if !seen.insert(Array(lines.text[name.start..<name.end])).inserted { lines.readings[index].isRepeat = true }
            }
            return
        }
        lines.text.withUnsafeBytes { text in
            let scanner = JSONScanner(text)
            var filter: UInt64 = 0
            for later in range {
                let name = lines.readings[later].name
                let bit: UInt64 = 1 << scanner.filterBit(of: name)
                if filter & bit != 0 {
                    for earlier in range.lowerBound..<later where scanner.sameName(lines.readings[earlier].name, name) {
                        lines.readings[later].isRepeat = true
                        break
                    }
                }
                filter |= bit
            }
        }
    }
}
