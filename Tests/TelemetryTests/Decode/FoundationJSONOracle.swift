import Foundation
import Telemetry

/// The reference `PayloadDecoder` is differential-tested against: Foundation's
/// `JSONSerialization` (DESIGN.md, "Non-negotiables": a hand-written decoder is checked against
/// the library it replaces). Shared by `PayloadDecoderDifferentialTests` and the libFuzzer
/// target `Fuzz/PayloadDecoder` (compiled into it by `scripts/fuzz`), so both apply the same
/// rules and the same documented exceptions.
///
/// Rules, for any bytes:
/// 1. Foundation rejects (after the normalisation below) ⇒ the decoder rejects.
/// 2. The decoder accepts ⇒ Foundation's tree has the decoder's shape and every reading:
///    the same metric names, timestamps, `seq`, and values of the same JSON type, numbers
///    equal as `Double`, strings equal scalar by scalar.
/// 3. Foundation accepts and the decoder reports a *syntax* error ⇒ one of Foundation's
///    known leniencies explains it (exception 7). Errors about the payload's shape (a JSON
///    value that is not one of the three wire-contract shapes) are not checked against
///    Foundation; the generated payloads of the unit tests check those against a model.
///
/// Legitimate differences, each normalised away or excused, all seen on Linux with Swift 6.3.1:
/// 1. (No longer a difference: invalid UTF-8 inside strings is malformed for both, as RFC 8259
///    requires; the decoder used to replace it with U+FFFD.)
/// 2. Lone UTF-16 surrogate escapes (`"\ud800"`, `"\udc00"`, a high one not followed by a low
///    one): Foundation rejects; the decoder decodes each as U+FFFD. They are rewritten to
///    `\ufffd` (same length) before Foundation sees them.
/// 3. Numbers beyond `Double`'s range (`1e400`): Foundation rejects the document ("not
///    representable"); the decoder reads ±infinity and the pipeline quarantines that reading
///    as `out_of_range` ("not a finite number"). Such a number token (outside strings, valid
///    JSON number grammar, not where an object key belongs) is rewritten to the string
///    `"\u0000overflow:+"` / `"…:-"` before Foundation sees it, and that string stands for the
///    decoder's ±infinity.
/// 4. Numbers Foundation returns as `NSDecimalNumber` (integers outside 64 bits, long
///    mantissas): its `doubleValue` is not correctly rounded (`0.1234567890123456789012345`
///    gives 0.12345678901234573, the correctly rounded double is 0.12345678901234568), and the
///    decimal keeps at most 38 digits. The decoder's value must be
///    within one ulp of `Double(decimal.description)` (correctly rounded from the 38 digits).
/// 5. Duplicate keys: Foundation keeps the last value, the decoder keeps every reading (the
///    catalogue and aggregation decide). The decoder may therefore hold more readings of one
///    (metric, ts) than Foundation, but every Foundation value must be among them.
/// 6. Keys equal under Unicode canonical equivalence (`"é"` and `"e\u0301"`): Foundation
///    merges them like duplicates, so metric names are compared as Swift `String`s.
/// 7. Foundation's leniencies, where the decoder is stricter (RFC 8259): one trailing comma
///    before `}` or `]`, UTF-16/UTF-32 documents (detected from NUL bytes or a UTF-16 BOM in
///    the first four bytes). A leading UTF-8 byte-order mark is ignored by both (RFC 8259 §8.1). Nesting deeper than `PayloadDecoder.maxDepth`
///    (Foundation allows 512) is a shape error of the decoder.
/// 8. `-0`: Foundation reads an integer 0, the decoder −0.0; `Double` equality treats them
///    as equal, as rule 2 asks.
/// 9. A raw U+FEFF (bytes EF BB BF) at the start of a string or right after an escape
///    sequence: Foundation drops it, the decoder keeps it. Raw U+FEFF inside strings is
///    rewritten to the escape `\ufeff`, which Foundation keeps.
enum FoundationJSONOracle {
    /// What the decoder and Foundation said about one input.
    struct Verdict {
        /// The decoder's result, with no limit on readings.
        var decoded: Result<DecodedPayload, PayloadError>
        /// Whether Foundation parsed the normalised input.
        var foundationAccepts: Bool
        /// Why the two disagree beyond the documented exceptions; `nil` when they agree.
        var disagreement: String?
    }

    /// Decodes `input` with `PayloadDecoder` and with Foundation and compares the results.
    static func check(_ input: [UInt8]) -> Verdict {
        let decoded = decode(input)
        let normalized = normalize(input)
        let tree: Any?
        let foundationError: String?
        do {
            tree = try JSONSerialization.jsonObject(with: Data(normalized))
            foundationError = nil
        } catch {
            tree = nil
            foundationError = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
        }
        var verdict = Verdict(decoded: decoded, foundationAccepts: tree != nil, disagreement: nil)
        switch decoded {
        case .success(let payload):
            if let tree {
                verdict.disagreement = compare(payload, with: tree)
            } else {
                verdict.disagreement = "the decoder accepts what Foundation rejects (\(foundationError ?? ""))"
            }
        case .failure(.tooManyReadings(let limit)):
            verdict.disagreement = "too many readings with a limit of \(limit)"
        case .failure(.malformed(let message)):
            if tree != nil, !isShapeError(message), !isFoundationLeniency(input, message: message) {
                verdict.disagreement = "the decoder rejects what Foundation accepts: \(message)"
            }
        }
        return verdict
    }

    /// `PayloadDecoder` with no limit on readings.
    static func decode(_ input: [UInt8]) -> Result<DecodedPayload, PayloadError> {
        var payload = DecodedPayload()
        let decoder = PayloadDecoder(maxReadings: .max)
        return input.withUnsafeBytes { buffer in
            do throws(PayloadError) {
                try decoder.decode(buffer, into: &payload)
                return .success(payload)
            } catch {
                return .failure(error)
            }
        }
    }

    // MARK: - Normalisation (exceptions 1–3)

    private static let backslash = UInt8(ascii: "\\")
    private static let quote = UInt8(ascii: "\"")
    private static let overflowPrefix = "\u{0}overflow:"

    /// The input with exceptions 2–3 rewritten so that Foundation may accept it.
    static func normalize(_ input: [UInt8]) -> [UInt8] {
        rewritingTokens(replacingLoneSurrogates(input))
    }

    private static func hex4(_ bytes: [UInt8], at index: Int) -> UInt32? {
        guard index >= 0, index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = hexDigit(byte) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// `\uD800`–`\uDFFF` escapes that are not a high-low pair become `\ufffd` (exception 2).
    /// Escapes outside strings are a syntax error either way and stay one.
    private static func replacingLoneSurrogates(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == backslash, index + 1 < bytes.count else {
                output.append(bytes[index])
                index += 1
                continue
            }
            guard bytes[index + 1] == UInt8(ascii: "u"), let unit = hex4(bytes, at: index + 2) else {
                output.append(contentsOf: bytes[index...index + 1])
                index += 2
                continue
            }
            if (0xD800..<0xDC00).contains(unit), index + 7 < bytes.count, bytes[index + 6] == backslash,
                bytes[index + 7] == UInt8(ascii: "u"), let low = hex4(bytes, at: index + 8),
                (0xDC00..<0xE000).contains(low)
            {
                output.append(contentsOf: bytes[index..<index + 12])
                index += 12
                continue
            }
            if (0xD800..<0xE000).contains(unit) {
                output.append(contentsOf: Array(#"\ufffd"#.utf8))
            } else {
                output.append(contentsOf: bytes[index..<index + 6])
            }
            index += 6
        }
        return output
    }

    /// Number tokens outside strings whose value overflows `Double` become the string
    /// `"\u0000overflow:+"` or `"…:-"` (exception 3); raw U+FEFF inside strings becomes
    /// `\ufeff` (exception 9).
    private static func rewritingTokens(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var inString = false
        // Where a string would be an object key, a number stays a number: rewriting it to a
        // string there would turn invalid JSON into valid JSON.
        var containers: [UInt8] = []
        var expectsKey = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == 0xEF, index + 2 < bytes.count, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF {
                    output.append(contentsOf: Array(#"\ufeff"#.utf8))
                    index += 3
                    continue
                }
                output.append(byte)
                if byte == backslash, index + 1 < bytes.count {
                    output.append(bytes[index + 1])
                    index += 2
                    continue
                }
                inString = byte != quote
                index += 1
                continue
            }
            switch byte {
            case quote: inString = true; expectsKey = false
            case UInt8(ascii: "{"): containers.append(byte); expectsKey = true
            case UInt8(ascii: "["): containers.append(byte); expectsKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = containers.popLast(); expectsKey = false
            case UInt8(ascii: ","): expectsKey = containers.last == UInt8(ascii: "{")
            case UInt8(ascii: ":"): expectsKey = false
            default: break
            }
            guard byte == UInt8(ascii: "-") || isDigit(byte) else {
                output.append(byte)
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, isNumberByte(bytes[end]) { end += 1 }
            let token = Array(bytes[index..<end])
            if !expectsKey, isJSONNumber(token), let value = Double(String(decoding: token, as: UTF8.self)),
                value.isInfinite
            {
                output.append(contentsOf: Array("\"\\u0000overflow:\(value < 0 ? "-" : "+")\"".utf8))
            } else {
                output.append(contentsOf: token)
            }
            index = end
        }
        return output
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    /// RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isJSONNumber(_ token: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < token.count, isDigit(token[index]) { index += 1 }
            return index - start
        }
        if index < token.count, token[index] == UInt8(ascii: "-") { index += 1 }
        guard index < token.count else { return false }
        if token[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < token.count, token[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < token.count, token[index] == UInt8(ascii: "e") || token[index] == UInt8(ascii: "E") {
            index += 1
            if index < token.count, token[index] == UInt8(ascii: "+") || token[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == token.count
    }

    // MARK: - Error classes (rule 3, exception 7)

    /// Decoder messages about a well-formed JSON value of the wrong shape.
    private static let shapeMessages = [
        "empty array", "array element at byte", "empty object", "given more than once", "\"seq\" must be",
        "\"ts\" must be", "\"values\" must be", "unexpected key", "array element without", "\"ts\" without",
        "no readings in the payload", "expected a JSON object or array", "nesting deeper than",
    ]

    private static func isShapeError(_ message: String) -> Bool {
        shapeMessages.contains { message.contains($0) }
    }

    /// Exception 7: a BOM or another encoding, or one trailing comma at the byte the decoder names.
    private static func isFoundationLeniency(_ input: [UInt8], message: String) -> Bool {
        if input.starts(with: [0xFE, 0xFF])
            || input.starts(with: [0xFF, 0xFE]) || input.prefix(4).contains(0)
        {
            return true
        }
        guard let range = message.range(of: "at byte ") else { return false }
        let digits = message[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard let offset = Int(digits), offset < input.count,
            input[offset] == UInt8(ascii: "}") || input[offset] == UInt8(ascii: "]")
        else {
            return false
        }
        var previous = offset - 1
        while previous >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(input[previous]) { previous -= 1 }
        return previous >= 0 && input[previous] == UInt8(ascii: ",")
    }

    // MARK: - Comparison (rule 2, exceptions 4–6)

    /// A reading's place: metric name (canonical equivalence, exception 6) and timestamp.
    private struct Place: Hashable {
        var metric: String
        var timestampMillis: Int64?
    }

    /// A JSON value as both sides can state it.
    private enum Value: Equatable {
        /// A finite or infinite double; −0 is stored as +0 (exception 8).
        case number(Double)
        /// From an `NSDecimalNumber`: `Double(description)`, matched within one ulp (exception 4).
        case decimal(Double)
        case string([UInt32])
        case bool(Bool)
        case null
        case composite

        init(_ value: DecodedValue) {
            switch value {
            case .number(let number): self = .number(number == 0 ? 0 : number)
            case .string(let string): self = .string(string.unicodeScalars.map(\.value))
            case .bool(let flag): self = .bool(flag)
            case .null: self = .null
            case .composite: self = .composite
            }
        }

        /// `nil` for something JSONSerialization never returns.
        init?(foundation value: Any) {
            if value is NSNull {
                self = .null
            } else if let string = value as? String {
                if string.hasPrefix(FoundationJSONOracle.overflowPrefix) {
                    self = .number(string.hasSuffix("-") ? -.infinity : .infinity)
                } else {
                    self = .string(string.unicodeScalars.map(\.value))
                }
            } else if let decimal = value as? NSDecimalNumber {
                guard let number = Double(decimal.description) else { return nil }
                self = .decimal(number == 0 ? 0 : number)
            } else if let number = value as? NSNumber {
                if String(cString: number.objCType) == "c" {
                    self = .bool(number.boolValue)
                } else {
                    self = .number(number.doubleValue == 0 ? 0 : number.doubleValue)
                }
            } else if value is [Any] || value is [String: Any] {
                self = .composite
            } else {
                return nil
            }
        }

        func matches(_ decoded: Value) -> Bool {
            guard case .decimal(let expected) = self else { return self == decoded }
            guard case .number(let actual) = decoded else { return false }
            return actual == expected || actual == expected.nextUp || actual == expected.nextDown
        }
    }

    /// Foundation's integer for `ts`, or `nil` when it read something else.
    private static func integer(_ value: Any) -> Int64? {
        guard let number = value as? NSNumber, !(value is NSDecimalNumber) else { return nil }
        switch String(cString: number.objCType) {
        case "i", "s", "l", "q": return number.int64Value
        case "I", "S", "L", "Q": return number.uint64Value <= UInt64(Int64.max) ? Int64(number.uint64Value) : nil
        default: return nil
        }
    }

    /// Foundation's non-negative integer for `seq`, or `nil` when it read something else.
    private static func unsigned(_ value: Any) -> UInt64? {
        guard let number = value as? NSNumber, !(value is NSDecimalNumber) else { return nil }
        switch String(cString: number.objCType) {
        case "i", "s", "l", "q": return number.int64Value >= 0 ? UInt64(number.int64Value) : nil
        case "I", "S", "L", "Q": return number.uint64Value
        default: return nil
        }
    }

    /// Foundation's readings of one message object, or why the decoder should not have accepted it.
    private static func collect(
        _ object: [String: Any], inArray: Bool, into places: inout [Place: [Value]], seq: inout [UInt64]
    ) -> String? {
        if let seqValue = object["seq"] {
            guard let number = unsigned(seqValue) else { return "seq \(seqValue) is not an unsigned integer in Foundation" }
            seq.append(number)
        }
        var timestamp: Int64?
        if let tsValue = object["ts"] {
            guard let millis = integer(tsValue) else {
                return "ts \(tsValue) is not an integer in Foundation"
            }
            timestamp = millis
        }
        let readings: [String: Any]
        if let values = object["values"] {
            guard let mapping = values as? [String: Any] else { return "values is not an object in Foundation" }
            if let extra = object.keys.first(where: { !["ts", "seq", "values"].contains($0) }) {
                return "key \"\(extra)\" beside values"
            }
            readings = mapping
        } else {
            if inArray { return "array element without values" }
            if timestamp != nil { return "ts without values" }
            readings = object.filter { $0.key != "seq" }
        }
        for (metric, value) in readings {
            guard let converted = Value(foundation: value) else { return "unexpected Foundation value \(value)" }
            places[Place(metric: metric, timestampMillis: timestamp), default: []].append(converted)
        }
        return nil
    }

    private static func compare(_ payload: DecodedPayload, with tree: Any) -> String? {
        var expected: [Place: [Value]] = [:]
        var seq: [UInt64] = []
        if let object = tree as? [String: Any] {
            if let problem = collect(object, inArray: false, into: &expected, seq: &seq) { return problem }
        } else if let array = tree as? [Any] {
            for element in array {
                guard let object = element as? [String: Any] else { return "array element \(element) is not an object" }
                if let problem = collect(object, inArray: true, into: &expected, seq: &seq) { return problem }
            }
        } else {
            return "Foundation's top-level value is \(type(of: tree))"
        }
        guard seq.count <= 1, payload.seq == seq.first else {
            return "seq: decoder \(payload.seq.map(String.init) ?? "none"), Foundation \(seq)"
        }
        var actual: [Place: [Value]] = [:]
        for reading in payload.readings {
            actual[Place(metric: reading.metric, timestampMillis: reading.timestampMillis), default: []]
                .append(Value(reading.value))
        }
        for place in actual.keys where expected[place] == nil {
            return
                "the decoder has \(place.metric) at ts \(place.timestampMillis.map(String.init) ?? "none"), Foundation does not"
        }
        for (place, values) in expected {
            var pool = actual[place] ?? []
            let ordered =
                values.filter { if case .decimal = $0 { false } else { true } }
                + values.filter { if case .decimal = $0 { true } else { false } }
            for value in ordered {
                guard let index = pool.firstIndex(where: { value.matches($0) }) else {
                    return
                        "\(place.metric) at ts \(place.timestampMillis.map(String.init) ?? "none"): Foundation has \(value), the decoder \(actual[place] ?? [])"
                }
                pool.remove(at: index)
            }
        }
        return nil
    }
}
