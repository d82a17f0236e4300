import Foundation
import Telemetry

/// Generates wire-contract payloads with the readings a correct decoder must return, from a
/// seeded `SplitMix64`, for the differential tests: the three shapes, names and strings with
/// every escape, raw UTF-8, numbers in many spellings (long mantissas, exponents, overflow),
/// nested composites, random whitespace and key order.
struct PayloadGenerator {
    /// One generated payload and what decoding it must give.
    struct Sample {
        var bytes: [UInt8]
        var expected: DecodedPayload
    }

    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    private mutating func chance(_ percent: Int) -> Bool {
        random.next(below: 100) < percent
    }

    private mutating func pick<Element>(_ choices: [Element]) -> Element {
        choices[random.next(below: choices.count)]
    }

    // MARK: Whitespace, names, strings

    private mutating func space() -> String {
        chance(70) ? "" : pick([" ", "  ", "\t", "\n", "\r\n", " \n\t "])
    }

    /// A JSON string literal and the text it stands for.
    private mutating func string(maxPieces: Int) -> (literal: String, text: String) {
        var literal = "\""
        var text = ""
        for _ in 0..<random.next(below: maxPieces + 1) {
            switch random.next(below: 10) {
            case 0:
                let (escape, character) = pick([
                    (#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\b"#, "\u{8}"), (#"\f"#, "\u{C}"),
                    (#"\n"#, "\n"), (#"\r"#, "\r"), (#"\t"#, "\t"),
                ])
                literal += escape
                text += character
            case 1:
                let scalar = pick([0x00, 0x1F, 0x41, 0xE9, 0x7F, 0x2028, 0xFFFD, 0xFEFF, 0x1EA1] as [UInt32])
                literal += String(format: "\\u%04x", scalar)
                text.unicodeScalars.append(Unicode.Scalar(scalar) ?? "?")
            case 2:
                literal += pick([#"\ud83d\ude00"#, #"\uD83C\uDFED"#])
                text += literal.hasSuffix(#"\ude00"#) ? "\u{1F600}" : "\u{1F3ED}"
            case 3:
                let raw = pick(["é", "nhiệt_độ", "µg/m³", "°C", "🏭", "\u{FEFF}", "e\u{301}"])
                literal += raw
                text += raw
            default:
                let raw = String(
                    (0..<random.next(below: 8) + 1).map { _ in
                        pick(Array("abcdefghijklmnopqrstuvwxyz_0123456789-. "))
                    })
                literal += raw
                text += raw
            }
        }
        return (literal + "\"", text)
    }

    private static let catalogueNames = [
        "temperature_c", "humidity_pct", "pm25_ugm3", "co2_ppm", "power_kw", "energy_kwh", "parts_total",
        "machine_state",
    ]

    /// A metric name that is not one of the payload keys `ts`, `seq`, `values`.
    private mutating func metricName() -> (literal: String, text: String) {
        if chance(50) {
            let name = pick(Self.catalogueNames)
            return ("\"\(name)\"", name)
        }
        while true {
            let name = string(maxPieces: 3)
            if !["ts", "seq", "values"].contains(name.text) { return name }
        }
    }

    // MARK: Numbers

    /// A JSON number and the `Double` the standard library reads from it.
    private mutating func number() -> (literal: String, value: Double) {
        let literal: String
        switch random.next(below: 6) {
        case 0:
            var value = Double(bitPattern: random.next())
            while !value.isFinite { value = Double(bitPattern: random.next()) }
            literal = value.description
        case 1:
            literal = chance(50) ? String(Int64(bitPattern: random.next())) : String(random.next() >> random.next(below: 64))
        case 2:
            literal = pick([
                "0", "-0", "0.0", "-0.0", "1E5", "1e+5", "2.5E-3", "1e-400", "1e400", "-1e400",
                "5e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "9007199254740993",
                "0.1", "100e-2", "18446744073709551616", "123456789012345678901234567890",
            ])
        case 3:
            literal = String(format: "%.17g", Double(random.next(below: 2_000_001) - 1_000_000) / 1000)
        default:
            literal = longNumber()
        }
        return (literal, Double(literal) ?? .nan)
    }

    /// Up to 40 digits, an optional fraction and exponent: the correctly rounded slow path.
    private mutating func longNumber() -> String {
        let digits = random.next(below: 40) + 1
        var mantissa = chance(30) ? "-" : ""
        mantissa += String(random.next(below: 9) + 1)
        for _ in 1..<digits { mantissa += String(random.next(below: 10)) }
        if chance(50) {
            let point = random.next(below: digits) + 1
            let start = mantissa.hasPrefix("-") ? 1 : 0
            let index = mantissa.index(mantissa.startIndex, offsetBy: start + point)
            if index == mantissa.endIndex {
                mantissa += ".5"
            } else {
                mantissa.insert(".", at: index)
            }
        }
        if chance(60) {
            mantissa += pick(["e", "E", "e+", "e-", "E-"]) + String(random.next(below: 340))
        }
        return mantissa
    }

    // MARK: Values

    private mutating func composite(depth: Int) -> String {
        let isObject = chance(50)
        var parts: [String] = []
        for _ in 0..<random.next(below: 4) {
            let value = depth < 3 && chance(30) ? composite(depth: depth + 1) : scalarLiteral()
            parts.append(isObject ? "\(string(maxPieces: 2).literal)\(space()):\(space())\(value)" : value)
        }
        let body = parts.joined(separator: "\(space()),\(space())")
        return isObject ? "{\(space())\(body)\(space())}" : "[\(space())\(body)\(space())]"
    }

    private mutating func scalarLiteral() -> String {
        switch random.next(below: 4) {
        case 0: return number().literal
        case 1: return string(maxPieces: 2).literal
        case 2: return pick(["true", "false"])
        default: return "null"
        }
    }

    /// A reading's value: its literal and the decoded value.
    private mutating func value() -> (literal: String, value: DecodedValue) {
        switch random.next(below: 10) {
        case 0..<5:
            let (literal, number) = number()
            return (literal, .number(number))
        case 5, 6:
            let (literal, text) = string(maxPieces: 3)
            return (literal, .string(text))
        case 7:
            let flag = chance(50)
            return (flag ? "true" : "false", .bool(flag))
        case 8:
            return ("null", .null)
        default:
            return (composite(depth: 1), .composite)
        }
    }

    // MARK: Messages

    /// `"name": value` members and their readings (at least one).
    private mutating func members(timestamp: Int64?) -> ([String], [DecodedReading]) {
        var members: [String] = []
        var readings: [DecodedReading] = []
        for _ in 0..<random.next(below: 6) + 1 {
            let name = metricName()
            let (literal, value) = value()
            members.append("\(name.literal)\(space()):\(space())\(literal)")
            var reading = DecodedReading(metric: name.text, timestampMillis: timestamp, value: value)
            // A name already given in this object (by its bytes) is a repeat.
            reading.isRepeat = readings.contains { Name.bytesEqual($0.metric, name.text) }
            readings.append(reading)
        }
        return (members, readings)
    }

    private func object(_ members: [String], _ spaces: [String]) -> String {
        var text = "{" + spaces[0]
        for (index, member) in members.enumerated() {
            if index > 0 { text += spaces[1] + "," + spaces[2] }
            text += member
        }
        return text + spaces[3] + "}"
    }

    private mutating func spaces() -> [String] {
        [space(), space(), space(), space()]
    }

    /// `{"ts": …, "seq": …, "values": {…}}` with the keys in random order; `ts` optional in arrays.
    private mutating func timestampedObject(seq: UInt64?, timestampOptional: Bool) -> (String, [DecodedReading]) {
        let timestamp: Int64? = timestampOptional && chance(20) ? nil : Int64(random.next() % (1 << 53))
        let (values, readings) = members(timestamp: timestamp)
        var keys = ["\"values\"\(space()):\(space())\(object(values, spaces()))"]
        if let timestamp { keys.append("\"ts\"\(space()):\(space())\(timestamp)") }
        if let seq { keys.append("\"seq\"\(space()):\(space())\(seq)") }
        keys.shuffle(using: &random)
        return (object(keys, spaces()), readings)
    }

    /// One valid payload of a random shape.
    mutating func next() -> Sample {
        let seq: UInt64? = chance(50) ? (chance(80) ? random.next() % 1_000_000 : random.next()) : nil
        var expected = DecodedPayload(seq: seq)
        let text: String
        switch random.next(below: 3) {
        case 0:
            var (plain, readings) = members(timestamp: nil)
            if let seq { plain.insert("\"seq\"\(space()):\(space())\(seq)", at: random.next(below: plain.count + 1)) }
            text = object(plain, spaces())
            expected.readings = readings
        case 1:
            let (body, readings) = timestampedObject(seq: seq, timestampOptional: false)
            text = body
            expected.readings = readings
        default:
            let count = random.next(below: 4) + 1
            let seqElement = random.next(below: count)
            var elements: [String] = []
            for index in 0..<count {
                let (body, readings) = timestampedObject(seq: index == seqElement ? seq : nil, timestampOptional: true)
                elements.append(body)
                expected.readings += readings
            }
            text = "[" + space() + elements.joined(separator: space() + "," + space()) + space() + "]"
        }
        return Sample(bytes: Array((space() + text + space()).utf8), expected: expected)
    }

    /// Valid JSON that breaks the wire contract's shape, which the decoder must reject as malformed.
    mutating func shapeViolation() -> [UInt8] {
        let reading = "\"temperature_c\": 1"
        let text = pick([
            "{}", "[]", "[1]", "[{\"ts\": 1, \"values\": {\(reading)}}, 2]",
            "{\"ts\": \(random.next(below: 1000)).5, \"values\": {\(reading)}}",
            "{\"ts\": -\(random.next(below: 1000) + 1), \"values\": {\(reading)}}",
            "{\"ts\": 9007199254740992, \"values\": {\(reading)}}",
            "{\"ts\": \"1763712000000\", \"values\": {\(reading)}}",
            "{\"seq\": -\(random.next(below: 1000) + 1), \(reading)}", "{\"seq\": 1.5, \(reading)}",
            "{\"seq\": 18446744073709551616, \(reading)}", "{\"seq\": true, \(reading)}",
            "{\"seq\": 1, \"seq\": 2, \(reading)}",
            "[{\"seq\": 1, \"values\": {\(reading)}}, {\"seq\": 2, \"values\": {\(reading)}}]",
            "{\"ts\": 1, \"ts\": 2, \"values\": {\(reading)}}", "{\"values\": {\(reading)}, \"values\": {\(reading)}}",
            "{\"values\": [1]}", "{\"values\": {\(reading)}, \"humidity_pct\": 2}", "{\"ts\": 1, \(reading)}",
            "[{\"ts\": 1}]", "[{\(reading)}]", "{\"values\": {}}", "{\"seq\": 4}", "[[{\"values\": {\(reading)}}]]",
            "{\"a\": " + String(repeating: "[", count: PayloadDecoder.maxDepth + 1)
                + String(repeating: "]", count: PayloadDecoder.maxDepth + 1) + "}",
        ])
        return Array(text.utf8)
    }

    /// `bytes` with one random edit: a byte changed, inserted or deleted, a cut, or a copied span.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let interesting = Array("{}[]:,\"\\-+.eE0u \u{7F}".utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        let position = random.next(below: max(bytes.count, 1))
        switch random.next(below: 5) {
        case 0 where !bytes.isEmpty: bytes[position] = pick(interesting)
        case 1: bytes.insert(pick(interesting), at: min(position, bytes.count))
        case 2 where !bytes.isEmpty: bytes.remove(at: position)
        case 3: bytes = Array(bytes.prefix(position))
        default:
            let end = min(bytes.count, position + random.next(below: 8) + 1)
            bytes.insert(contentsOf: bytes[min(position, end)..<end], at: random.next(below: bytes.count + 1))
        }
        return bytes
    }
}
