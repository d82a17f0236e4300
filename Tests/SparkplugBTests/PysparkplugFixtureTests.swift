import SparkplugB
import Testing

/// Payloads encoded by another implementation (pysparkplug 0.6.1, scripts/sparkplug-fixtures.py) must decode to
/// exactly the values it was given.
@Suite("Payloads from pysparkplug")
struct PysparkplugFixtureTests {
    @Test func everyPayloadDecodesToExactlyTheValuesPysparkplugEncoded() throws {
        let fixtures = try PysparkplugFixtures.load()
        #expect(fixtures.payloads.count == 7)
        let decoder = SparkplugPayloadDecoder()
        let birth = try decoder.decode(try fixtures.payload("nbirth").bytes)
        var birthDatatypes: [UInt64: SparkplugDataType] = [:]
        for metric in birth.metrics {
            if let alias = metric.alias, let datatype = metric.datatype {
                birthDatatypes[alias] = SparkplugDataType(rawValue: datatype)
            }
        }
        for fixture in fixtures.payloads {
            let payload = try decoder.decode(try fixture.bytes)
            #expect(payload.timestamp == fixture.timestamp, "\(fixture.name)")
            #expect(payload.seq == fixture.seq, "\(fixture.name)")
            #expect(payload.metrics.count == fixture.metrics.count, "\(fixture.name)")
            for (metric, expected) in zip(payload.metrics, fixture.metrics) {
                let label = "\(fixture.name): \(expected.name ?? "alias \(expected.alias ?? 0)")"
                #expect(metric.name == expected.name, "\(label)")
                #expect(metric.alias == expected.alias, "\(label)")
                #expect(metric.timestamp == expected.timestamp, "\(label)")
                #expect(metric.datatype == expected.datatype, "\(label)")
                #expect(metric.isHistorical == expected.isHistorical, "\(label)")
                #expect(metric.isTransient == expected.isTransient, "\(label)")
                #expect(metric.isNull == expected.isNull, "\(label)")
                let birthDatatype = metric.alias.flatMap { birthDatatypes[$0] }
                let value = Result { () throws(SparkplugValueError) in try metric.value(birthDatatype: birthDatatype) }
                #expect(value == (try expected.value.expected), "\(label)")
            }
        }
    }

    @Test func theFixturesCoverEveryNumericDatatypeAndTheOtherKinds() throws {
        let fixtures = try PysparkplugFixtures.load()
        let datatypes = Set(fixtures.payloads.flatMap { $0.metrics.compactMap(\.datatype) })
        for datatype in [SparkplugDataType.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float, .double] {
            #expect(datatypes.contains(datatype.rawValue), "\(datatype.name)")
        }
        let metrics = fixtures.payloads.flatMap(\.metrics)
        #expect(metrics.contains { $0.isHistorical })
        #expect(metrics.contains { $0.isNull })
        #expect(metrics.contains { $0.name == nil && $0.alias != nil && $0.datatype == nil })
        #expect(metrics.contains { $0.value.unsupported != nil })
    }

    @Test func everyFixtureTopicParsesToItsMessageType() throws {
        for fixture in try PysparkplugFixtures.load().payloads {
            guard case .edge(_, let type, _, _) = try SparkplugTopic(parsing: fixture.topic.utf8) else {
                Issue.record("\(fixture.topic) is not an edge topic")
                continue
            }
            #expect(fixture.name.hasPrefix(type.rawValue.lowercased()), "\(fixture.topic)")
        }
    }

    @Test func theRebirthRequestIsByteForByteWhatPysparkplugWrites() throws {
        let fixture = try PysparkplugFixtures.load().payload("ncmd-rebirth")
        #expect(try SparkplugPayloadEncoder().rebirthRequest(timestamp: fixture.timestamp) == fixture.bytes)
    }
}
