import SparkplugB
import Testing

@Suite("SparkplugValue")
struct SparkplugValueTests {
    private func value(_ type: SparkplugDataType, _ field: SparkplugValueField?) throws(SparkplugValueError) -> SparkplugValue {
        try SparkplugValue(field: field, isNull: false, datatype: type.rawValue)
    }

    @Test func negativeInt8ReadsTheSameWhetherSentAsItsByteOrSignExtended() throws {
        #expect(try value(.int8, .int(255)) == .number(-1))
        #expect(try value(.int8, .int(0xFFFF_FFFF)) == .number(-1))
        #expect(try value(.int8, .int(0x80)) == .number(-128))
        #expect(try value(.int8, .int(0xFFFF_FF80)) == .number(-128))
        #expect(try value(.int8, .int(127)) == .number(127))
    }

    @Test func negativeInt16ReadsTheSameWhetherSentAsItsWidthOrSignExtended() throws {
        #expect(try value(.int16, .int(65533)) == .number(-3))
        #expect(try value(.int16, .int(0xFFFF_FFFD)) == .number(-3))
        #expect(try value(.int16, .int(0x8000)) == .number(-32768))
        #expect(try value(.int16, .int(32767)) == .number(32767))
    }

    @Test func int32AndInt64NegativesAreTheirTwosComplementBits() throws {
        #expect(try value(.int32, .int(0xFFFF_FFFF)) == .number(-1))
        #expect(try value(.int32, .int(0x8000_0000)) == .number(-2_147_483_648))
        #expect(try value(.int64, .long(UInt64.max)) == .number(-1))
        #expect(try value(.int64, .long(0x8000_0000_0000_0000)) == .number(-9_223_372_036_854_775_808))
        #expect(try value(.int64, .long(42)) == .number(42))
    }

    @Test func unsignedExtremesAreRead() throws {
        #expect(try value(.uint8, .int(255)) == .number(255))
        #expect(try value(.uint16, .int(65535)) == .number(65535))
        #expect(try value(.uint32, .int(UInt32.max)) == .number(4_294_967_295))
        // UInt64.max is not a Double: it rounds to 2⁶⁴, as every integer above 2⁵³ rounds to the nearest Double.
        #expect(try value(.uint64, .long(UInt64.max)) == .number(18_446_744_073_709_551_616))
        #expect(try value(.uint64, .long(0)) == .number(0))
    }

    @Test func aUInt32InLongValueIsAcceptedWhenItFits() throws {
        #expect(try value(.uint32, .long(4_294_967_295)) == .number(4_294_967_295))
        #expect(throws: SparkplugValueError.outOfRange(.uint32, value: 4_294_967_296)) {
            try value(.uint32, .long(4_294_967_296))
        }
    }

    @Test func unsignedValuesWiderThanTheirDatatypeAreOutOfRange() {
        #expect(throws: SparkplugValueError.outOfRange(.uint8, value: 256)) { try value(.uint8, .int(256)) }
        #expect(throws: SparkplugValueError.outOfRange(.uint16, value: 70000)) { try value(.uint16, .int(70000)) }
    }

    @Test func floatsAndDoublesAreNumbers() throws {
        #expect(try value(.float, .float(1.5)) == .number(1.5))
        #expect(try value(.float, .float(0.1)) == .number(Double(Float(0.1))))
        #expect(try value(.double, .double(-2.5e-300)) == .number(-2.5e-300))
    }

    @Test func booleansStringsAndTimesKeepTheirKind() throws {
        #expect(try value(.boolean, .boolean(true)) == .boolean(true))
        #expect(try value(.boolean, .boolean(false)) == .boolean(false))
        #expect(try value(.string, .string("auto")) == .string("auto"))
        #expect(try value(.text, .string("line\nline")) == .string("line\nline"))
        #expect(
            try value(.uuid, .string("3f1c8a2e-5b7d-4e9a-9c61-0d2f4b8e7a15")) == .string("3f1c8a2e-5b7d-4e9a-9c61-0d2f4b8e7a15"))
        #expect(try value(.dateTime, .long(1_714_564_800_000)) == .dateTime(milliseconds: 1_714_564_800_000))
    }

    @Test func aNullMetricIsNullWhateverItsSupportedDatatype() throws {
        for datatype in [SparkplugDataType.int8, .uint64, .double, .boolean, .string, .dateTime] {
            #expect(try SparkplugValue(field: nil, isNull: true, datatype: datatype.rawValue) == .null)
        }
        #expect(try SparkplugValue(field: .double(1), isNull: true, datatype: SparkplugDataType.double.rawValue) == .null)
    }

    @Test func everyDatatypeThatIsNotOneValueIsUnsupportedWithAReason() {
        let supported: Set<SparkplugDataType> = [
            .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float, .double, .boolean, .string,
            .dateTime, .text, .uuid,
        ]
        for datatype in SparkplugDataType.allCases where !supported.contains(datatype) {
            #expect(throws: SparkplugValueError.unsupportedDatatype(datatype)) { try value(datatype, .bytes([1, 2])) }
            #expect(throws: SparkplugValueError.unsupportedDatatype(datatype)) {
                try SparkplugValue(field: nil, isNull: true, datatype: datatype.rawValue)
            }
            #expect(datatype.unsupportedReason != nil)
        }
        #expect(
            SparkplugValueError.unsupportedDatatype(.dataSet).description
                == "unsupported datatype DataSet (16): a DataSet is a table of rows, not one value")
        #expect(
            SparkplugValueError.unsupportedDatatype(.doubleArray).description
                == "unsupported datatype DoubleArray (31): an array holds many values packed in bytes_value, not one value")
    }

    @Test func aValueFieldThatDoesNotFitTheDatatypeIsAMismatch() {
        #expect(throws: SparkplugValueError.fieldMismatch(.double, field: "string_value")) { try value(.double, .string("1.5")) }
        #expect(throws: SparkplugValueError.fieldMismatch(.int32, field: "long_value")) { try value(.int32, .long(1)) }
        #expect(throws: SparkplugValueError.fieldMismatch(.int64, field: "int_value")) { try value(.int64, .int(1)) }
        #expect(throws: SparkplugValueError.fieldMismatch(.float, field: "double_value")) { try value(.float, .double(1)) }
        #expect(throws: SparkplugValueError.fieldMismatch(.boolean, field: "int_value")) { try value(.boolean, .int(1)) }
        #expect(throws: SparkplugValueError.fieldMismatch(.string, field: "bytes_value")) { try value(.string, .bytes([0x41])) }
        #expect(throws: SparkplugValueError.fieldMismatch(.dateTime, field: "double_value")) { try value(.dateTime, .double(1)) }
        #expect(throws: SparkplugValueError.fieldMismatch(.uint64, field: "dataset_value")) { try value(.uint64, .dataSet) }
        #expect(
            SparkplugValueError.fieldMismatch(.double, field: "string_value").description
                == "a Double metric carries its value in string_value, which does not fit the datatype")
    }

    @Test func aMissingUnknownOrAbsentDatatypeOrValueIsAnError() {
        #expect(throws: SparkplugValueError.missingDatatype) {
            try SparkplugValue(field: .double(1), isNull: false, datatype: nil)
        }
        #expect(throws: SparkplugValueError.unknownDatatype(35)) {
            try SparkplugValue(field: .int(1), isNull: false, datatype: 35)
        }
        #expect(throws: SparkplugValueError.unsupportedDatatype(.unknown)) { try value(.unknown, .int(1)) }
        #expect(throws: SparkplugValueError.missingValue(.double)) { try value(.double, nil) }
    }

    @Test func aDataMetricWithoutDatatypeTakesItsBirthDatatype() throws {
        let metric = SparkplugMetric(alias: 4, timestamp: 1, field: .int(65533))
        #expect(try metric.value(birthDatatype: .int16) == .number(-3))
        #expect(throws: SparkplugValueError.missingDatatype) { try metric.value() }
        let named = SparkplugMetric(name: "x", datatype: SparkplugDataType.uint16.rawValue, field: .int(65533))
        #expect(try named.value(birthDatatype: .int16) == .number(65533))
    }
}
