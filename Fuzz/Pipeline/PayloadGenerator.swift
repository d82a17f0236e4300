/// Builds mostly valid JSON payloads from a program's choices, so that fuzzing spends its
/// time in validation, sequencing and windowing rather than in the JSON syntax the
/// `PayloadDecoder` target already covers.
///
/// One message reads, in order: a shape byte; a `seq` choice and operand (8 more bytes for a
/// random `seq`); per object a `ts` choice and operand (not in the flat shape) and a reading
/// count byte (≡ 7 mod 8: none, else 1–4); per reading a name, a value choice and an operand.
/// Shape byte: bits 0–1 flat object, `{"ts", "values"}` object, array with `seq` in the first
/// element, array with `seq` in the last one (and in the first too when bit 2 is set, which is
/// malformed); bit 2 puts `seq` after the readings; bit 3 adds spaces; bits 4–7 mod 3, plus 1,
/// array elements.
struct PayloadGenerator {
    /// The last numeric `seq` generated per topic index, for the "near the previous" choices.
    private var lastSeq: [UInt64] = Array(repeating: 0, count: PipelineFixture.topics.count)

    /// Metric names as they appear between the quotes of a key: catalogue names, an unknown
    /// one, a precomposed and a decomposed spelling of the same name, escaped spellings, a
    /// long name, the empty name, payload keywords and invalid UTF-8.
    static let names: [[UInt8]] = [
        Array("temperature_c".utf8), Array("humidity_pct".utf8), Array("vibration_mm_s".utf8),
        Array("energy_kwh".utf8), Array("parts_total".utf8), Array("machine_state".utf8),
        Array("operator_note".utf8), Array("caf\u{E9}_c".utf8), Array("cafe\u{301}_c".utf8),
        Array(#"caf\u00e9_c"#.utf8), Array(#"temperature\u005fc"#.utf8), Array("dust_ugm3".utf8),
        Array(repeating: UInt8(ascii: "x"), count: 300), [], Array("ts".utf8), [0xFF, 0xFE, 0x41],
    ]

    /// State strings (the JSON text, quotes included) for the state value choice.
    static let states: [String] = [
        #""running""#, #""idle""#, #""fault""#, #""off""#, #""Running""#, #""caf\u00e9""#,
        "\"cafe\u{301}\"", "\"caf\u{E9}\"", #""""#, "\"" + String(repeating: "s", count: 200) + "\"",
    ]

    /// `ts` texts beyond what the decoder accepts or at its edges.
    static let oddTimestamps = ["9223372036854775807", "-9223372036854775808", "1.5e12", "1763712000000.0"]
    /// `seq` texts the decoder must reject: negative, fractional, with an exponent, a string,
    /// 2⁶⁴, null.
    static let oddSeqs = ["-1", "1.0", "1e2", #""5""#, "18446744073709551616", "null"]

    /// The payload of one structured message on topic `topic`, received at `nowMillis`.
    mutating func payload(topic: Int, nowMillis: Int64, reader: inout ProgramReader) -> [UInt8] {
        let shape = reader.byte()
        let seq = seqText(topic: topic, reader: &reader)
        let format = Format(spaced: shape & 0x08 != 0, seqLast: shape & 0x04 != 0, seq: seq)
        var out: [UInt8] = []
        out.reserveCapacity(256)
        switch shape & 3 {
        case 0:
            messageObject(into: &out, flat: true, withSeq: true, format: format, nowMillis: nowMillis, reader: &reader)
        case 1:
            messageObject(into: &out, flat: false, withSeq: true, format: format, nowMillis: nowMillis, reader: &reader)
        default:
            let count = 1 + Int(shape >> 4) % 3
            out.append(UInt8(ascii: "["))
            for index in 0..<count {
                if index > 0 { separate(&out, format) }
                let withSeq = shape & 3 == 2 ? index == 0 : index == count - 1 || (format.seqLast && index == 0)
                messageObject(into: &out, flat: false, withSeq: withSeq, format: format, nowMillis: nowMillis, reader: &reader)
            }
            out.append(UInt8(ascii: "]"))
        }
        return out
    }

    /// How one message is spelled: spaces after separators, `seq` after the readings, and the
    /// `seq` text if any.
    private struct Format {
        var spaced: Bool
        var seqLast: Bool
        var seq: [UInt8]?
    }

    /// Appends one `{"ts", "seq", "values"}` object (flat: just the readings and `seq`).
    private func messageObject(
        into out: inout [UInt8], flat: Bool, withSeq: Bool, format: Format, nowMillis: Int64, reader: inout ProgramReader
    ) {
        let ts = flat ? nil : timestampText(nowMillis: nowMillis, reader: &reader)
        var members = 0
        func next() {
            if members > 0 { separate(&out, format) }
            members += 1
        }
        out.append(UInt8(ascii: "{"))
        if !format.seqLast, withSeq, let seq = format.seq {
            next()
            key("seq", &out, format)
            out += seq
        }
        if let ts {
            next()
            key("ts", &out, format)
            out += ts
        }
        if flat {
            if readings(into: &out, format: format, reader: &reader) { members += 1 }
        } else {
            next()
            key("values", &out, format)
            out.append(UInt8(ascii: "{"))
            _ = readings(into: &out, format: format, reader: &reader)
            out.append(UInt8(ascii: "}"))
        }
        if format.seqLast, withSeq, let seq = format.seq {
            next()
            key("seq", &out, format)
            out += seq
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends the readings of one object, 0 (count byte ≡ 7 mod 8) or 1–4 `"name": value`
    /// members, after a separator when `out` already holds a member; says whether it wrote any.
    private func readings(into out: inout [UInt8], format: Format, reader: inout ProgramReader) -> Bool {
        let countByte = reader.byte()
        let count = countByte % 8 == 7 ? 0 : 1 + Int(countByte % 4)
        let needsSeparator = out.last != UInt8(ascii: "{")
        for index in 0..<count {
            if index > 0 || needsSeparator { separate(&out, format) }
            let name = Self.names[Int(reader.byte() % 16)]
            let choice = reader.byte()
            let operand = reader.byte()
            out.append(UInt8(ascii: "\""))
            out += name
            out += format.spaced ? Array("\": ".utf8) : Array("\":".utf8)
            out += valueText(choice, operand)
        }
        return count > 0
    }

    /// A value: small and decimal numbers, zeros, the largest and smallest doubles, values
    /// around the pipeline's magnitude limit, an overflowing literal, strings, states, other
    /// JSON types and numbers whose squares overflow.
    private func valueText(_ choice: UInt8, _ operand: UInt8) -> [UInt8] {
        let text: String
        switch choice % 16 {
        case 0: text = String(Int(operand) - 64)
        case 1: text = "\(operand).25"
        case 2: text = "0"
        case 3: text = operand % 2 == 0 ? "-0" : "-0.0"
        case 4: text = "1e308"
        case 5: text = "-1e308"
        case 6: text = "1.7976931348623157e308"
        case 7: text = "5e-324"
        case 8: text = "1e100"
        case 9: text = "1e101"
        case 10: text = "1e999"
        case 11: text = #""NaN""#
        case 12: text = Self.states[Int(operand) % Self.states.count]
        case 13: text = ["true", "false", "null"][Int(operand) % 3]
        case 14: text = ["{}", "[]", #"{"a":1}"#][Int(operand) % 3]
        default: text = ["1e154", "-1e154", "123456789.123456789e10", "-2.5e-10"][Int(operand) % 4]
        }
        return Array(text.utf8)
    }

    /// A `seq` choice, or `nil` for none: 0, 1, 2⁶³, 2⁶³ − 1, 2⁶⁴ − 1, the previous one of the
    /// topic, just after, before or far before it, 8 random bytes, or an invalid text.
    private mutating func seqText(topic: Int, reader: inout ProgramReader) -> [UInt8]? {
        let choice = reader.byte()
        let operand = UInt64(reader.byte())
        let previous = lastSeq[topic]
        let seq: UInt64
        switch choice % 16 {
        case 0...3: return nil
        case 4: seq = 0
        case 5: seq = 1
        case 6: seq = 1 << 63
        case 7: seq = .max
        case 8: seq = previous &+ 1
        case 9: seq = previous
        case 10: seq = previous &- operand
        case 11: seq = previous &+ operand
        case 12: seq = previous &- (60 + operand % 8)
        case 13: seq = reader.uint64()
        case 14: seq = UInt64(Int64.max)
        default: return Array(Self.oddSeqs[Int(operand) % Self.oddSeqs.count].utf8)
        }
        lastSeq[topic] = seq
        return Array(String(seq).utf8)
    }

    /// A `ts` choice, or `nil` for none (receive time): now, a little or much earlier or
    /// later, exactly at and just beyond the future tolerance, 0, −1, the largest accepted
    /// value 2⁵³ − 1 and 2⁵³, or a text beyond the decoder's range.
    private func timestampText(nowMillis: Int64, reader: inout ProgramReader) -> [UInt8]? {
        let choice = reader.byte()
        let operand = Int64(reader.byte())
        let tolerance = PipelineFixture.futureToleranceMillis
        let ts: Int64
        switch choice % 16 {
        case 0...3: return nil
        case 4: ts = nowMillis
        case 5: ts = nowMillis - operand * 10
        case 6: ts = nowMillis + operand * 10
        case 7: ts = nowMillis - operand * 1_000
        case 8: ts = nowMillis + tolerance
        case 9: ts = nowMillis + tolerance + 1
        case 10: ts = 0
        case 11: return Array("-1".utf8)
        case 12: ts = (1 << 53) - 1
        case 13: ts = 1 << 53
        case 14: ts = nowMillis - operand
        default: return Array(Self.oddTimestamps[Int(operand) % Self.oddTimestamps.count].utf8)
        }
        return Array(String(ts).utf8)
    }

    /// Appends `"key":` (with a space when spaced).
    private func key(_ name: String, _ out: inout [UInt8], _ format: Format) {
        out.append(UInt8(ascii: "\""))
        out += name.utf8
        out += format.spaced ? Array("\": ".utf8) : Array("\":".utf8)
    }

    /// Appends a member separator.
    private func separate(_ out: inout [UInt8], _ format: Format) {
        out.append(UInt8(ascii: ","))
        if format.spaced { out.append(UInt8(ascii: " ")) }
    }
}
