import Foundation
import Testing

@testable import Telemetry

/// Simulated power cuts (issue 10 §8): thousands of cuts at random events of an ingest workload
/// on `PowerCutFileSystem`, each checked by `PowerCutTrial`. Seeded: the figures printed are
/// the same on every run.
@Suite("Simulated power cuts")
struct PowerCutTests {
    /// Trials per test case; four cases (two per fsync policy) run in parallel.
    static let trialsPerCase = 55
    static let messagesPerTrial = 600

    @Test(arguments: [
        (FsyncPolicy.always, UInt64(1_000)), (FsyncPolicy.always, UInt64(2_000)),
        (FsyncPolicy.interval(milliseconds: 1_000), UInt64(3_000)), (FsyncPolicy.interval(milliseconds: 1_000), UInt64(4_000)),
    ])
    func everyAcknowledgedReadingSurvivesOnce(fsync: FsyncPolicy, firstSeed: UInt64) {
        let clock = ContinuousClock()
        let started = clock.now
        var total = PowerCutTrial.Outcome()
        for seed in firstSeed..<(firstSeed + UInt64(Self.trialsPerCase)) {
            let trial = PowerCutTrial(
                seed: seed, fsync: fsync, messageCount: Self.messagesPerTrial, meanEventsBetweenCuts: 150)
            total = total + trial.run()
        }
        print(
            """
            power cuts (\(fsync), seeds \(firstSeed)..<\(firstSeed + UInt64(Self.trialsPerCase))): \(total.cuts) cuts \
            (\(total.cutsWhileStarting) while recovering) and \(total.crashes) process crashes, \(total.events) events, \
            \(total.messages) messages, lost \(total.lost) (and \(total.redeliveredAfterLoss) more, sent again by the \
            broker), resurrected from the ring \(total.resurrected), checkpoint fallbacks \(total.checkpointFallbacks), \
            ring torn after checkpoint \(total.ringTornRecoveries), ring rewinds \(total.ringRewinds), failures \
            \(total.failures.count), \(clock.now - started)
            """)
        for failure in total.failures.prefix(10) { Issue.record(Comment(rawValue: failure)) }
        if case .always = fsync { #expect(total.lost == 0) }
    }
}
