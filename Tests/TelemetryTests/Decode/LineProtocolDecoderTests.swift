import Testing

@testable import Telemetry

/// The line protocol reader: every value type, timestamps in each precision, the escaping
/// rules of the line protocol reference (its edge cases included), comments and blank lines,
/// and a precise error for each malformed line.
@Suite("Line protocol decoder")
struct LineProtocolDecoderTests {
    /// A line as the tests read it back: names and strings as text.
    struct Line: Equatable {
        var park: String?
        var site: String?
        var device: String?
        var readings: [Reading]
    }

    struct Reading: Equatable {
        var name: String
        var timestampMillis: Int64?
        var value: DecodedValue
        var isRepeat = false
    }

    static func decode(
        _ text: String, options: LineProtocolOptions = LineProtocolOptions(deviceTag: "host"), maxReadings: Int = 1_000
    ) throws(PayloadError) -> [Line] {
        let decoder = LineProtocolDecoder(maxReadings: maxReadings, options: options)
        var lines = ScannedLines()
        var bytes = Array(text.utf8)
        do {
            try bytes.withUnsafeMutableBytes { payload in
                try decoder.scan(UnsafeRawBufferPointer(payload), into: &lines)
            }
        } catch let error as PayloadError {
            throw error
        } catch {
            fatalError("only PayloadError is thrown")
        }
        func string(_ token: StringToken?) -> String? {
            token.map { String(decoding: lines.text[$0.start..<$0.end], as: UTF8.self) }
        }
        return lines.lines.map { line in
            Line(
                park: string(line.park), site: string(line.site), device: string(line.device),
                readings: line.readings.map { index in
                    let reading = lines.readings[index]
                    let value: DecodedValue
                    switch reading.value {
                    case .number(let number): value = .number(number)
                    case .bool(let flag): value = .bool(flag)
                    case .string(let token): value = .string(string(token) ?? "")
                    case .null: value = .null
                    case .composite: value = .composite
                    }
                    return Reading(
                        name: string(reading.name) ?? "", timestampMillis: reading.timestampMillis, value: value,
                        isRepeat: reading.isRepeat)
                })
        }
    }

    static func error(_ text: String, options: LineProtocolOptions = LineProtocolOptions(deviceTag: "host")) -> String? {
        do {
            _ = try decode(text, options: options)
            return nil
        } catch {
            return error.detail
        }
    }

    @Test func everyFieldTypeAndTheIdentityTags() throws {
        let lines = try Self.decode(
            """
            machine,site=f01,host=m-07,line=3 temperature_c=71.5,parts_total=120i,spindle_u=18446744073709551615u,\
            running=true,door=F,machine_state="running",load=-2.5e-1 1765000000123456789
            """, options: LineProtocolOptions(siteTag: "site", deviceTag: "host"))
        #expect(
            lines == [
                Line(
                    site: "f01", device: "m-07",
                    readings: [
                        Reading(name: "temperature_c", timestampMillis: 1_765_000_000_123, value: .number(71.5)),
                        Reading(name: "parts_total", timestampMillis: 1_765_000_000_123, value: .number(120)),
                        Reading(name: "spindle_u", timestampMillis: 1_765_000_000_123, value: .number(Double(UInt64.max))),
                        Reading(name: "running", timestampMillis: 1_765_000_000_123, value: .bool(true)),
                        Reading(name: "door", timestampMillis: 1_765_000_000_123, value: .bool(false)),
                        Reading(name: "machine_state", timestampMillis: 1_765_000_000_123, value: .string("running")),
                        Reading(name: "load", timestampMillis: 1_765_000_000_123, value: .number(-0.25)),
                    ])
            ])
    }

    @Test func everyBooleanSpelling() throws {
        let spellings = ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"]
        let fields = spellings.enumerated().map { "b\($0.offset)=\($0.element)" }.joined(separator: ",")
        let values = try Self.decode("m,host=d \(fields)").first?.readings.map(\.value)
        #expect(values == spellings.indices.map { .bool($0 < 5) })
        #expect(
            Self.error("m,host=d b=yes")
                == "line 1: invalid field value \"yes\": expected a number, 12i, 12u, true, false or \"text\" (byte 14)")
    }

    @Test(arguments: [
        (LineProtocolOptions.Precision.nanoseconds, "1765000000123999999", Int64(1_765_000_000_123)),
        (.nanoseconds, "-1", Int64(-1)),
        (.nanoseconds, "-1000000", Int64(-1)),
        (.nanoseconds, "-1000001", Int64(-2)),
        (.microseconds, "1765000000123999", Int64(1_765_000_000_123)),
        (.milliseconds, "1765000000123", Int64(1_765_000_000_123)),
        (.seconds, "1765000000", Int64(1_765_000_000_000)),
        (.seconds, "-2", Int64(-2_000)),
    ])
    func timestampsAreConvertedToMillisecondsRoundingDown(
        precision: LineProtocolOptions.Precision, text: String, millis: Int64
    ) throws {
        let lines = try Self.decode("m,host=d v=1 \(text)", options: LineProtocolOptions(precision: precision, deviceTag: "host"))
        #expect(lines.first?.readings.first?.timestampMillis == millis)
    }

    /// The escaping rules, case by case, as the line protocol reference states them.
    @Test func escapesFollowTheReference() throws {
        let lines = try Self.decode(
            #"""
            my\,meas\ ure\=x,host=a\ b\,c\=d,t\ k=v f\,1\=\ x=1,s="say \"hi\" \\ back\slash",lit=2 1
            m,host=back\\slash a\b=1 2
            m,host=trail\\ v=3 3
            """#)
        #expect(lines.map(\.device) == [#"a b,c=d"#, #"back\slash"#, #"trail\"#])
        #expect(
            lines.first?.readings.map(\.name) == [#"f,1= x"#, "s", "lit"],
            "field keys unescape comma, equals and space")
        #expect(lines.first?.readings[1].value == .string(#"say "hi" \ back\slash"#))
        #expect(lines[1].readings.first?.name == #"a\b"#, "a backslash before another byte is literal")
        let measured = try Self.decode(
            #"my\,meas\ ure\=x,host=d f=1"#, options: LineProtocolOptions(deviceTag: "host", metricNaming: .measurementField))
        #expect(measured.first?.readings.first?.name == #"my,meas ure\=x_f"#, "a measurement escapes only comma and space")
    }

    @Test func commentsBlankLinesAndCarriageReturnsAreSkipped() throws {
        let lines = try Self.decode("# a comment\r\n\r\n   \n  m,host=d v=1 5000000\r\n#another\nm,host=e v=2\n")
        #expect(lines.map(\.device) == ["d", "e"])
        #expect(lines.map { $0.readings.first?.timestampMillis } == [5, nil])
    }

    @Test func aRepeatedFieldIsMarkedAndMeasurementFieldNamingJoinsTheNames() throws {
        let lines = try Self.decode(
            "press,host=p1 force=1,force=2,cycle=3",
            options: LineProtocolOptions(deviceTag: "host", metricNaming: .measurementField))
        #expect(lines.first?.readings.map(\.name) == ["press_force", "press_force", "press_cycle"])
        #expect(lines.first?.readings.map(\.isRepeat) == [false, true, false])
    }

    @Test(arguments: [
        ("m,host=d", "line 1: no fields: expected a space and field=value after the measurement and tags (byte 8)"),
        (",host=d v=1", "line 1: empty measurement (byte 0)"),
        ("m,host=d,=x v=1", "line 1: empty tag key (byte 9)"),
        ("m,host= v=1", "line 1: empty tag value (byte 7)"),
        ("m,host v=1", "line 1: expected '=' after the tag key (byte 6)"),
        ("m,host=a=b v=1", "line 1: '=' in a tag value must be escaped as \\= (byte 8)"),
        ("m,host=d v", "line 1: expected '=' after the field key (byte 10)"),
        ("m,host=d v=", "line 1: missing field value (byte 11)"),
        ("m,host=d v=,w=1", "line 1: missing field value (byte 11)"),
        ("m,host=d v=\"open", "line 1: unterminated string field value (byte 16)"),
        ("m,host=d v=1x", "line 1: invalid field value \"1x\": expected a number, 12i, 12u, true, false or \"text\" (byte 13)"),
        ("m,host=d v=01", "line 1: invalid field value \"01\": expected a number, 12i, 12u, true, false or \"text\" (byte 13)"),
        ("m,host=d v=NaN", "line 1: invalid field value \"NaN\": expected a number, 12i, 12u, true, false or \"text\" (byte 14)"),
        ("m,host=d v=1.5i", "line 1: invalid integer \"1.5i\": expected digits within 64 bits before the i (byte 15)"),
        ("m,host=d v=-1u", "line 1: invalid unsigned integer \"-1u\": expected digits within 64 bits before the u (byte 14)"),
        (
            "m,host=d v=9223372036854775808i",
            "line 1: invalid integer \"9223372036854775808i\": expected digits within 64 bits before the i (byte 31)"
        ),
        ("m,host=d v=1 12x", "line 1: invalid timestamp \"12x\": expected an integer in ns (byte 16)"),
        ("m,host=d v=1 1 2", "line 1: unexpected text after the timestamp (byte 15)"),
        ("m,host=d v=1\nm,host=d,host=e v=2", "line 2: tag host given twice (byte 28)"),
        ("# only a comment\n\n", "no readings in the payload: expected lines of line protocol"),
    ])
    func aMalformedLineNamesItsNumberAndWhatWasExpected(text: String, detail: String) {
        #expect(Self.error(text) == detail)
    }

    /// A line of many fields (beyond the 32 the bit filter serves) finds its repeats by a set,
    /// in time linear in the fields rather than quadratic.
    @Test func repeatsAmongHundredsOfFieldsAreFound() throws {
        let names = (0..<600).map { "f\($0)" } + ["f7", "f599", "f0"]
        let text = "m,host=d " + names.map { "\($0)=1" }.joined(separator: ",")
        let readings = try #require(try Self.decode(text).first?.readings)
        #expect(readings.count == 603)
        #expect(readings.indices.filter { readings[$0].isRepeat } == [600, 601, 602])
    }

    @Test func aPayloadThatIsNotUTF8IsRefusedWithTheOffset() throws {
        let decoder = LineProtocolDecoder(maxReadings: 10, options: LineProtocolOptions(deviceTag: "host"))
        var lines = ScannedLines()
        for (bytes, offset) in [
            (Array("m,host=d v=1,caf".utf8) + [0xC3] + Array("=2".utf8), 16), (Array("m,host=d".utf8) + [0xFF], 8),
            (Array("m,host=ab cd=1 ".utf8) + [0xED, 0xA0, 0x80], 15),
        ] {
            #expect(throws: PayloadError.malformed("invalid UTF-8 at byte \(offset): names and strings must be UTF-8")) {
                try bytes.withUnsafeBytes { try decoder.scan($0, into: &lines) }
            }
        }
        let accented = try Self.decode("m,host=Nhà\\ máy\\ 3 nhiệt_độ=21.5")
        #expect(accented.first?.device == "Nhà máy 3" && accented.first?.readings.first?.name == "nhiệt_độ")
    }

    @Test func secondsThatOverflowAndTooManyReadingsAreRefused() {
        #expect(
            Self.error("m,host=d v=1 9223372036854775807", options: LineProtocolOptions(precision: .seconds, deviceTag: "host"))
                == "line 1: timestamp 9223372036854775807 s is out of range (byte 32)")
        #expect(throws: PayloadError.tooManyReadings(limit: 3)) {
            _ = try Self.decode("m,host=d a=1,b=2\nm,host=d c=3,d=4", maxReadings: 3)
        }
    }
}
