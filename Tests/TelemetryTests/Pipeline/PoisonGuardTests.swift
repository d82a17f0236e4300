import Foundation
import Testing

@testable import Telemetry

/// The poison guard across simulated process deaths: a guard dropped between `enter` and
/// `leave` is a process that died inside that record.
@Suite("PoisonGuard")
struct PoisonGuardTests {
    private func withMessage<Result>(
        topic: String = "iiot/p/s/d/telemetry", payload: String, position: Int, receivedAt: Int64 = 1_000,
        _ body: (RawMessage) throws -> Result
    ) rethrows -> Result {
        let topicBytes = Array(topic.utf8)
        let payloadBytes = Array(payload.utf8)
        return try topicBytes.withUnsafeBytes { topic in
            try payloadBytes.withUnsafeBytes { payload in
                try body(
                    RawMessage(
                        topic: topic, payload: payload, receivedAtNanos: receivedAt, packetID: 0, retained: false,
                        payloadBytes: payload.count, position: position))
            }
        }
    }

    private func scratchPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("poison-\(UUID().uuidString)").path
    }

    @Test func aMessageThatKillsTwoProcessesIsPoison() throws {
        let path = scratchPath()
        defer { unlink(path) }
        // Process 1 ingests two records and dies inside the second.
        do {
            let guardFile = try PoisonGuard(path: path)
            #expect(guardFile.previousCrash == nil)
            #expect(withMessage(payload: "ok", position: 0) { guardFile.enter($0) } == .ingest)
            guardFile.leave()
            #expect(withMessage(payload: "boom", position: 64) { guardFile.enter($0) } == .ingest)
        }
        // Process 2 replays both and dies in the same one again.
        do {
            let guardFile = try PoisonGuard(path: path)
            #expect(guardFile.previousCrash == PoisonGuard.Crash(position: 64, receivedAtNanos: 1_000))
            #expect(withMessage(payload: "ok", position: 0) { guardFile.enter($0) } == .ingest)
            guardFile.leave()
            #expect(withMessage(payload: "boom", position: 64) { guardFile.enter($0) } == .ingest)
        }
        // Process 3 sets it aside, and a copy the broker delivered again, but nothing else.
        let guardFile = try PoisonGuard(path: path)
        #expect(withMessage(payload: "ok", position: 0) { guardFile.enter($0) } == .ingest)
        guardFile.leave()
        #expect(withMessage(payload: "boom", position: 64) { guardFile.enter($0) } == .poison(deaths: 2, position: 64))
        guardFile.leave()
        #expect(
            withMessage(payload: "boom", position: 4_096, receivedAt: 9_000) { guardFile.enter($0) }
                == .poison(deaths: 2, position: nil))
        guardFile.leave()
        #expect(withMessage(payload: "bang", position: 8_192) { guardFile.enter($0) } == .ingest)
        guardFile.leave()
        guardFile.close()
        #expect(try PoisonGuard(path: path).previousCrash == nil)
    }

    @Test func deathsInDifferentMessagesMakeNoPoison() throws {
        let path = scratchPath()
        defer { unlink(path) }
        do {
            let guardFile = try PoisonGuard(path: path)
            _ = withMessage(payload: "first", position: 0) { guardFile.enter($0) }
        }
        do {
            let guardFile = try PoisonGuard(path: path)
            #expect(withMessage(payload: "first", position: 0) { guardFile.enter($0) } == .ingest)
            guardFile.leave()
            _ = withMessage(payload: "second", position: 64) { guardFile.enter($0) }
        }
        let guardFile = try PoisonGuard(path: path)
        #expect(withMessage(payload: "second", position: 64) { guardFile.enter($0) } == .ingest)
    }

    @Test func deathsThatDoNotFollowEachOtherMakeNoPoison() throws {
        let path = scratchPath()
        defer { unlink(path) }
        // A plain payload a device repeats: one death inside it, then its replay goes through.
        do {
            let guardFile = try PoisonGuard(path: path)
            _ = withMessage(payload: "{\"x\":1}", position: 64) { guardFile.enter($0) }
        }
        do {
            let guardFile = try PoisonGuard(path: path)
            #expect(withMessage(payload: "{\"x\":1}", position: 64) { guardFile.enter($0) } == .ingest)
            guardFile.leave()
            // Much later an unrelated crash lands inside an identical message.
            _ = withMessage(payload: "{\"x\":1}", position: 9_000, receivedAt: 7_000) { guardFile.enter($0) }
        }
        let guardFile = try PoisonGuard(path: path)
        #expect(withMessage(payload: "{\"x\":1}", position: 9_000, receivedAt: 7_000) { guardFile.enter($0) } == .ingest)
    }

    @Test func aRecordOfANewRingAtTheSamePositionIsNotTheSuspect() throws {
        let path = scratchPath()
        defer { unlink(path) }
        for _ in 0..<2 {
            let guardFile = try PoisonGuard(path: path)
            _ = withMessage(payload: "boom", position: 64) { guardFile.enter($0) }
        }
        // The ring file was replaced: the record at 64 was received at another time.
        let guardFile = try PoisonGuard(path: path)
        #expect(withMessage(payload: "other", position: 64, receivedAt: 5_000) { guardFile.enter($0) } == .ingest)
    }

    @Test func aMarkLeftUnderAnotherBootIsAPowerCutNotADeath() throws {
        let path = scratchPath()
        defer { unlink(path) }
        try #require(PoisonGuard.bootID() != nil, "this test needs Linux's boot id")
        do {
            let guardFile = try PoisonGuard(path: path)
            _ = withMessage(payload: "boom", position: 64) { guardFile.enter($0) }
        }
        // The page as a power cut leaves it: the mark of a record, written under another boot.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(PoisonGuard.bootIDWord * 8))
        try handle.write(contentsOf: Data(repeating: UInt8(ascii: "0"), count: PoisonGuard.bootIDBytes))
        try handle.close()
        let guardFile = try PoisonGuard(path: path)
        #expect(guardFile.previousCrash == nil && guardFile.ignoredMarkFromAnotherBoot)
        #expect(withMessage(payload: "boom", position: 64) { guardFile.enter($0) } == .ingest)
    }

    @Test func aDamagedFileStartsAfresh() throws {
        let path = scratchPath()
        defer { unlink(path) }
        try Data(repeating: 0xFF, count: 4_096).write(to: URL(fileURLWithPath: path))
        #expect(try PoisonGuard(path: path).previousCrash == nil)
    }
}
