import SparkplugB
import Testing

@Suite("SparkplugTopic")
struct SparkplugTopicTests {
    private func parse(_ topic: String) throws(SparkplugTopicError) -> SparkplugTopic {
        try SparkplugTopic(parsing: topic.utf8)
    }

    @Test func everyNodeMessageTypeHasFourLevelsAndNoDevice() throws {
        for type in SparkplugMessageType.allCases where !type.hasDevice {
            #expect(
                try parse("spBv1.0/Plant 1/\(type.rawValue)/Edge-1")
                    == .edge(groupID: "Plant 1", messageType: type, edgeNodeID: "Edge-1", deviceID: nil))
        }
    }

    @Test func everyDeviceMessageTypeHasFiveLevelsWithTheDevice() throws {
        for type in SparkplugMessageType.allCases where type.hasDevice {
            #expect(
                try parse("spBv1.0/Plant1/\(type.rawValue)/Edge1/Pump ⚙ 7")
                    == .edge(groupID: "Plant1", messageType: type, edgeNodeID: "Edge1", deviceID: "Pump ⚙ 7"))
        }
    }

    @Test func theHostStateTopicHasThreeLevels() throws {
        #expect(try parse("spBv1.0/STATE/scada-host") == .state(hostID: "scada-host"))
    }

    @Test func aGroupNamedStateStillHasEdgeMessages() throws {
        #expect(
            try parse("spBv1.0/STATE/NDATA/Edge1")
                == .edge(groupID: "STATE", messageType: .nodeData, edgeNodeID: "Edge1", deviceID: nil))
    }

    @Test func rawBytesAndArraysParseAlike() throws {
        let bytes = Array("spBv1.0/G/DDATA/E/D".utf8)
        let fromArray = try SparkplugTopic(parsing: bytes)
        let fromBuffer = try bytes.withUnsafeBytes { buffer in try SparkplugTopic(parsing: buffer) }
        #expect(fromArray == .edge(groupID: "G", messageType: .deviceData, edgeNodeID: "E", deviceID: "D"))
        #expect(fromBuffer == fromArray)
    }

    @Test func topicsOfOtherNamespacesAreNotSparkplug() {
        for topic in [
            "", "/", "spAv1.0/G/NDATA/E", "spbv1.0/G/NDATA/E", "STATE/host", "iiot/a/b/c/telemetry", "spBv1.0x/G/NDATA/E",
        ] {
            #expect(throws: SparkplugTopicError.notSparkplugNamespace, "\(topic)") { try parse(topic) }
        }
    }

    @Test func aDeviceLevelOnANodeTypeOrNoneOnADeviceTypeIsTheWrongLevelCount() {
        #expect(throws: SparkplugTopicError.wrongLevelCount(.nodeData, levels: 5)) { try parse("spBv1.0/G/NDATA/E/D") }
        #expect(throws: SparkplugTopicError.wrongLevelCount(.nodeBirth, levels: 3)) { try parse("spBv1.0/G/NBIRTH") }
        #expect(throws: SparkplugTopicError.wrongLevelCount(.deviceData, levels: 4)) { try parse("spBv1.0/G/DDATA/E") }
        #expect(throws: SparkplugTopicError.wrongLevelCount(.deviceCommand, levels: 6)) { try parse("spBv1.0/G/DCMD/E/D/x") }
        #expect(throws: SparkplugTopicError.wrongLevelCount(nil, levels: 1)) { try parse("spBv1.0") }
        #expect(throws: SparkplugTopicError.wrongLevelCount(nil, levels: 2)) { try parse("spBv1.0/STATE") }
        #expect(throws: SparkplugTopicError.wrongLevelCount(nil, levels: 4)) { try parse("spBv1.0/STATE/host/extra") }
    }

    @Test func anUnknownMessageTypeIsNamed() {
        #expect(throws: SparkplugTopicError.unknownMessageType("NDATAX")) { try parse("spBv1.0/G/NDATAX/E") }
        #expect(throws: SparkplugTopicError.unknownMessageType("ndata")) { try parse("spBv1.0/G/ndata/E") }
        #expect(throws: SparkplugTopicError.unknownMessageType("STATE")) { try parse("spBv1.0/G/STATE/E") }
        #expect(throws: SparkplugTopicError.unknownMessageType("")) { try parse("spBv1.0/G//E") }
    }

    @Test func emptyIdsAreRejectedWithTheirLevel() {
        #expect(throws: SparkplugTopicError.emptyLevel(2)) { try parse("spBv1.0//NDATA/E") }
        #expect(throws: SparkplugTopicError.emptyLevel(4)) { try parse("spBv1.0/G/NDATA/") }
        #expect(throws: SparkplugTopicError.emptyLevel(5)) { try parse("spBv1.0/G/DDATA/E/") }
        #expect(throws: SparkplugTopicError.emptyLevel(3)) { try parse("spBv1.0/STATE/") }
    }

    @Test func wildcardsInIdsAreRejectedWithTheirLevel() {
        #expect(throws: SparkplugTopicError.wildcardInLevel(2)) { try parse("spBv1.0/+/NDATA/E") }
        #expect(throws: SparkplugTopicError.wildcardInLevel(4)) { try parse("spBv1.0/G/NDATA/E#") }
        #expect(throws: SparkplugTopicError.wildcardInLevel(5)) { try parse("spBv1.0/G/DBIRTH/E/+") }
        #expect(throws: SparkplugTopicError.wildcardInLevel(3)) { try parse("spBv1.0/STATE/#") }
    }

    @Test func bytesThatAreNotUTF8AreRejected() {
        #expect(throws: SparkplugTopicError.invalidUTF8) {
            try SparkplugTopic(parsing: Array("spBv1.0/G/NDATA/".utf8) + [0xFF, 0xFE])
        }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(
            SparkplugTopicError.wrongLevelCount(.deviceData, levels: 4).description
                == "a DDATA topic has 5 levels (spBv1.0/group/DDATA/edge/device), this one has 4")
        #expect(SparkplugTopicError.emptyLevel(4).description == "level 4 of the topic is empty")
    }
}
