import Foundation
import Testing

@testable import Telemetry

/// The engine with a poison message already known: every copy the broker delivers again is set
/// aside, however many arrive in one run, and the other messages are ingested.
@Suite("Ingest engine with a poison message")
struct IngestEnginePoisonTests {
    static let poisonTopic = Array("iiot/yen-my/f01/trap-01/telemetry".utf8)
    static let poisonPayload = Array(#"{"values":{"temperature_c":21.5},"note":"boom"}"#.utf8)

    /// Leaves in `directory`'s guard file what three processes leave when two of them died inside
    /// the poison message: the third remembers its fingerprint.
    static func rememberPoison(in directory: IngestEngineTests.DataDirectory) throws {
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        let path = directory.path + "/ingest.inflight"
        try poisonTopic.withUnsafeBytes { topic in
            try poisonPayload.withUnsafeBytes { payload in
                let message = RawMessage(
                    topic: topic, payload: payload, receivedAtNanos: 1_000, packetID: 0, retained: false,
                    payloadBytes: payload.count, position: 4_096)
                for _ in 1...2 { _ = try PoisonGuard(path: path).enter(message) }
                let third = try PoisonGuard(path: path)
                #expect(third.enter(message) == .poison(deaths: 2, position: 4_096))
                third.leave()
            }
        }
    }

    @Test func everyCopyOfAKnownPoisonMessageIsSetAsideAndTheOthersAreIngested() throws {
        let directory = IngestEngineTests.DataDirectory()
        try Self.rememberPoison(in: directory)
        let now = WallClock.millis()
        var messages: [IngestEngineTests.Message] = []
        for index in 0..<6 {
            let ts = now - 60_000 + Int64(index) * 1_000
            messages.append(
                IngestEngineTests.Message(
                    topic: Array("iiot/yen-my/f01/env-0001/telemetry".utf8), receivedAtNanos: ts * 1_000_000,
                    payload: Array(#"{"ts":\#(ts),"values":{"temperature_c":\#(20 + index)}}"#.utf8)))
            if index % 2 == 1 {
                messages.append(
                    IngestEngineTests.Message(
                        topic: Self.poisonTopic, receivedAtNanos: ts * 1_000_000 + 1, payload: Self.poisonPayload))
            }
        }
        let observer = try directory.run(messages)

        let final = try #require(observer.lastSnapshot)
        #expect(final.stopped)
        #expect(final.stats.messages == 9)
        #expect(final.stats.readingsAccepted == 6)
        #expect(final.stats.quarantined == [.poisonMessage: 3])
        let reports = observer.events.filter { $0.contains("poison message quarantined") }
        #expect(reports.count == 1, "copies within a minute share one report: \(reports)")
        #expect(reports.first?.hasPrefix("error: poison message quarantined: the same topic and payload") == true)
    }
}
