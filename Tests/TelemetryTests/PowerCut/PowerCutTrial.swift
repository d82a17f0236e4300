import Foundation

@testable import Telemetry

/// One power-cut trial: a workload ingested by `PowerCutGateway` processes on one
/// `PowerCutFileSystem`, the power cut at random events (and 1 interruption in 4 a process
/// crash instead, which keeps the page cache), each cut followed by a check of what the disk
/// holds and a new process that recovers and goes on; after the last message a clean shutdown
/// and one more cut, checked the same way.
///
/// The check of a cut runs a process of its own on a copy of the disk: it recovers (the same
/// steps as the process that goes on), replays the ring, writes every open window and closes
/// the logs; then the logs are read and compared with the ledger (`PowerCutWorkload` explains
/// how a window's sum names its messages):
/// * every complete line of both logs is a JSON object, and no segment ends in a torn line;
/// * no reading is counted twice, and the 10 s and 30 s tiers count the same messages;
/// * every message that must survive is counted: with `fsync: always` each one acknowledged
///   (its group's msync returned before the broker got the PUBACK); with `interval`, each one
///   acknowledged before a completed ring sync (whichever process put it in the ring), or
///   covered by a stored checkpoint, or found by an earlier check — what is lost is only what
///   came after the last sync;
/// * the checkpoint recovery used is one of the two last stored, or one being stored at the
///   cut, or none when none was stored.
/// The broker redelivers what was not acknowledged (same packet id), and after a power cut also
/// up to 12 acknowledged messages whose PUBACK was still in the machine's socket buffer; `seq`
/// drops the copies.
struct PowerCutTrial {
    /// Totals of a trial (or of several, added up).
    struct Outcome {
        var cuts = 0
        var cutsWhileStarting = 0
        /// Process crashes (`kill -9`) between the cuts: the page cache survives them.
        var crashes = 0
        var events = 0
        var messages = 0
        var lost = 0
        /// Lost at one cut, counted after a later one although the broker did not send it again:
        /// its ring record stayed intact on disk where the next process's records at the same
        /// positions did not reach it.
        var resurrected = 0
        /// Lost at one cut, then sent again by the broker (its PUBACK was lost with the machine).
        var redeliveredAfterLoss = 0
        var checkpointFallbacks = 0
        var ringTornRecoveries = 0
        var ringRewinds = 0
        var failures: [String] = []

        static func + (lhs: Outcome, rhs: Outcome) -> Outcome {
            Outcome(
                cuts: lhs.cuts + rhs.cuts, cutsWhileStarting: lhs.cutsWhileStarting + rhs.cutsWhileStarting,
                crashes: lhs.crashes + rhs.crashes,
                events: lhs.events + rhs.events, messages: lhs.messages + rhs.messages, lost: lhs.lost + rhs.lost,
                resurrected: lhs.resurrected + rhs.resurrected,
                redeliveredAfterLoss: lhs.redeliveredAfterLoss + rhs.redeliveredAfterLoss,
                checkpointFallbacks: lhs.checkpointFallbacks + rhs.checkpointFallbacks,
                ringTornRecoveries: lhs.ringTornRecoveries + rhs.ringTornRecoveries,
                ringRewinds: lhs.ringRewinds + rhs.ringRewinds, failures: lhs.failures + rhs.failures)
        }
    }

    let seed: UInt64
    let fsync: FsyncPolicy
    let messageCount: Int
    /// Mean events between two cuts.
    let meanEventsBetweenCuts: Int

    /// Runs the trial.
    func run() -> Outcome {
        var state = State(trial: self)
        state.run()
        return state.outcome
    }

    /// The mutable part of a run.
    private struct State {
        let trial: PowerCutTrial
        let workload: PowerCutWorkload
        let fileSystem: PowerCutFileSystem
        var random: SplitMix64
        var outcome = Outcome()
        /// Messages `0..<acked` are acknowledged: the gateway sent their PUBACK.
        var acked = 0
        /// The next message the broker delivers: below `acked` after a restart, since PUBACKs
        /// still in the dead machine's socket buffer never reached the broker.
        var nextToDeliver = 0
        /// Messages `0..<pushedEnd` have been handed to a ring at least once.
        var pushedEnd = 0
        /// Must be counted from now on (see the type's comment).
        var durable: [Bool]
        var lost: Set<Int> = []
        /// Acknowledged messages the broker sent again after a power cut.
        var redelivered: Set<Int> = []
        /// Checkpoints whose store began, and whether it completed, in order.
        var stores: [(checkpoint: IngestCheckpoint, completed: Bool)] = []
        /// The wall clock: the receive time of the newest message handed over.
        var now: Int64
        /// Collects the current process's callbacks.
        var recorder = Recorder()

        init(trial: PowerCutTrial) {
            self.trial = trial
            workload = PowerCutWorkload(seed: trial.seed, count: trial.messageCount)
            fileSystem = PowerCutFileSystem(seed: trial.seed &* 0x9E37_79B9 &+ 1)
            // The gateway creates the data directory before anything else (outside the interface).
            _ = fileSystem.mkdir(PowerCutGateway.dataDirectory, mode: 0o755)
            _ = fileSystem.syncDirectory("/")
            random = SplitMix64(seed: trial.seed &+ 0x5EED)
            durable = [Bool](repeating: false, count: trial.messageCount)
            now = workload.messages.first?.receivedAtMillis ?? 0
            outcome.messages = trial.messageCount
        }

        mutating func run() {
            defer { outcome.events = fileSystem.events }
            scheduleCut()
            while true {
                guard let gateway = startProcess() else {
                    if outcome.failures.isEmpty { continue }
                    return
                }
                if drive(gateway) { break }
                if !outcome.failures.isEmpty { return }
            }
        }

        /// Chooses the next interruption: a power cut, or 1 in 4 a process crash; now and then
        /// soon after a restart, inside recovery.
        mutating func scheduleCut() {
            let offset =
                random.next(below: 8) == 0
                ? 1 + random.next(below: 60)
                : 1 + random.next(below: 2 * trial.meanEventsBetweenCuts)
            let kind: PowerCutFileSystem.Interruption = random.next(below: 4) == 0 ? .processCrash : .powerCut
            fileSystem.interrupt(kind, atEvent: fileSystem.events + offset)
        }

        /// Starts a process; on a cut meanwhile, checks the disk and returns nil.
        mutating func startProcess() -> PowerCutGateway? {
            var events = PowerCutGateway.Events()
            // The closures only record; the state is updated from them after each call.
            let recorder = Recorder()
            events.storeBegan = { recorder.began.append($0) }
            events.storeCompleted = { recorder.completed.append($0) }
            events.ringSynced = { recorder.ringSyncs += 1 }
            self.recorder = recorder
            do {
                let gateway = try PowerCutGateway(fileSystem: fileSystem, fsync: trial.fsync, nowMillis: now, events: events)
                absorbRecords()
                guard fileSystem.isDown else { return gateway }
                // The interruption fell on a call whose failure start-up ignores (a close): the
                // process is dead all the same, and must not be handed messages it would seem to
                // acknowledge.
                if fileSystem.lastInterruption == .powerCut { outcome.cutsWhileStarting += 1 }
                handleInterruption()
                return nil
            } catch {
                absorbRecords()
                guard fileSystem.isDown else {
                    fail("process start failed without a power cut: \(error)")
                    return nil
                }
                if fileSystem.lastInterruption == .powerCut { outcome.cutsWhileStarting += 1 }
                handleInterruption()
                return nil
            }
        }

        /// What the process's callbacks reported, taken into the ledger.
        mutating func absorbRecords() {
            for (index, checkpoint) in recorder.began.enumerated() {
                stores.append((checkpoint, false))
                if index < recorder.completed.count { stores[stores.count - 1].completed = true }
            }
            // A store completes right after it begins, so completions pair with the begun ones.
            for consumed in recorder.completed where trial.fsync != .never {
                for index in consumed { durable[index] = true }
            }
            if recorder.ringSyncs > 0 {
                // The promise of `interval`: once the ring is synced, everything acknowledged so
                // far survives (whichever process put it in the ring).
                for index in 0..<pushedEnd where !lost.contains(index) { durable[index] = true }
            }
            recorder.began = []
            recorder.completed = []
            recorder.ringSyncs = 0
        }

        /// Runs the workload in `gateway` until a cut (false) or the end (true).
        mutating func drive(_ gateway: PowerCutGateway) -> Bool {
            while nextToDeliver < workload.messages.count {
                if random.next(below: 10) < 6 {
                    let start = nextToDeliver
                    let end = min(workload.messages.count, start + 1 + random.next(below: 8))
                    let (pushed, committed) = gateway.push(workload.messages[start..<end])
                    pushedEnd = max(pushedEnd, start + pushed)
                    if pushed > 0 { now = max(now, workload.messages[start + pushed - 1].receivedAtMillis) }
                    // With `interval` each callback's return acknowledges its message; with
                    // `always` the group's msync does.
                    if trial.fsync != .always || committed {
                        nextToDeliver = start + pushed
                        acked = max(acked, nextToDeliver)
                    }
                    if fileSystem.isDown { break }
                    if pushed < end - start { gateway.pass(batch: 64, nowMillis: now) }  // the ring was full
                } else {
                    gateway.pass(batch: 1 + random.next(below: 64), nowMillis: now)
                }
                absorbRecords()
                if fileSystem.isDown { break }
            }
            absorbRecords()
            if !fileSystem.isDown {
                gateway.shutDown(nowMillis: now)
                absorbRecords()
            }
            let finished = !fileSystem.isDown
            if finished && trial.fsync != .never {
                // Everything acknowledged and the process stopped cleanly: all of it is durable.
                for index in 0..<workload.messages.count where !lost.contains(index) { durable[index] = true }
            }
            if finished {
                fileSystem.cutPower()
            }
            handleInterruption()
            return finished && outcome.failures.isEmpty
        }

        /// After a power cut, checks what it left on a copy of the disk; then starts again, the
        /// broker redelivering from the first message whose PUBACK it did not get: after a power
        /// cut the last PUBACKs may have been still in the socket's buffer (the kernel sends a
        /// killed process's buffer, so after a crash only unacknowledged ones come again).
        mutating func handleInterruption() {
            let crashed = fileSystem.lastInterruption == .processCrash
            nextToDeliver = crashed ? acked : max(0, acked - random.next(below: 13))
            guard !crashed else {
                outcome.crashes += 1
                fileSystem.restart()
                scheduleCut()
                return
            }
            outcome.cuts += 1
            redelivered.formUnion(nextToDeliver..<acked)
            let counted = check(fileSystem.copyOfDisk(seed: random.next()))
            if let counted {
                for message in workload.messages where !message.malformed {
                    let index = message.index
                    if counted.contains(index) {
                        // Without syncs what is on disk now can still go (a log cut back and
                        // written again unsynced), so `never` promises nothing onwards.
                        if trial.fsync != .never { durable[index] = true }
                        if lost.remove(index) != nil {
                            outcome.lost -= 1
                            if redelivered.contains(index) {
                                outcome.redeliveredAfterLoss += 1
                            } else {
                                outcome.resurrected += 1
                            }
                        }
                    } else if durable[index] || (trial.fsync == .always && index < acked) {
                        fail(
                            "message \(index) (device \(message.device), received \(message.receivedAtMillis)) must survive "
                                + "but is not counted (acked \(acked), pushed \(pushedEnd))")
                    } else if index < acked && !lost.contains(index) {
                        lost.insert(index)
                        outcome.lost += 1
                    }
                }
            }
            fileSystem.restart()
            scheduleCut()
        }

        /// Recovers a process on `disk`, drains it, and returns the messages the logs count
        /// (nil after recording a failure).
        mutating func check(_ disk: PowerCutFileSystem) -> Set<Int>? {
            let process: PowerCutGateway
            do {
                process = try PowerCutGateway(fileSystem: disk, fsync: trial.fsync, nowMillis: now)
            } catch {
                fail("recovery failed: \(error)")
                return nil
            }
            if trial.fsync != .never { checkCheckpoint(process.recovered) }
            switch process.ringOutcome {
            case .torn: outcome.ringTornRecoveries += 1
            case .rewound: outcome.ringRewinds += 1
            case .overwritten(let position, let freed):
                fail("recovery: ring overwritten between checkpoint \(position) and free position \(freed)")
            default: break
            }
            process.shutDown(nowMillis: now)
            if disk.isDown {
                fail("the checking process lost power")
                return nil
            }
            return countedMessages(disk)
        }

        mutating func checkCheckpoint(_ recovered: IngestRecovery.LoadedCheckpoint?) {
            let completed = stores.indices.filter { stores[$0].completed }
            guard let recovered else {
                if !completed.isEmpty { fail("no checkpoint recovered after \(completed.count) were stored") }
                return
            }
            if recovered.newestError != nil { outcome.checkpointFallbacks += 1 }
            var allowed = completed.suffix(2)
            if let last = completed.last {
                allowed += stores.indices.filter { $0 > last }
            } else {
                allowed += stores.indices
            }
            if !allowed.contains(where: { stores[$0].checkpoint == recovered.checkpoint }) {
                let which = stores.lastIndex { $0.checkpoint == recovered.checkpoint }.map { "store \($0)" } ?? "never stored"
                fail("recovered checkpoint is \(which), expected one of stores \(Array(allowed)) (of \(stores.count))")
            }
        }

        /// Reads both logs of `disk` and returns the messages the rollups count, checking lines,
        /// duplicates and the agreement of the tiers.
        mutating func countedMessages(_ disk: PowerCutFileSystem) -> Set<Int>? {
            struct WindowKey: Hashable {
                let tierMillis: Int64
                let windowStart: Int64
                let device: Int
                let metric: String
            }
            var totals: [WindowKey: (count: Int, sum: Double)] = [:]
            let recovery = IngestRecovery(dataDirectory: PowerCutGateway.dataDirectory, fileSystem: disk)
            for name in IngestRecovery.logNames {
                let segments: [LogSegments.Segment]
                do {
                    segments = try recovery.log(name).list()
                } catch {
                    fail("listing the \(name) log: \(error)")
                    return nil
                }
                for segment in segments {
                    guard let split = try? LogSegments.readCompleteLines(atPath: segment.path, fileSystem: disk) else {
                        fail("reading \(segment.path)")
                        return nil
                    }
                    if split.tornTailBytes > 0 { fail("\(segment.path) ends in a torn line of \(split.tornTailBytes) bytes") }
                    for line in split.lines {
                        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                            fail("\(segment.path): not a JSON object: \(Self.printable(line.prefix(120)))")
                            return nil
                        }
                        guard name == "rollups" else { continue }
                        guard let tier = object["tier"] as? String, let start = object["start"] as? String,
                            let device = (object["device"] as? String).flatMap({ Int($0.dropFirst(4)) }),
                            let metric = object["metric"] as? String, let count = object["count"] as? Int,
                            let sum = object["sum"] as? Double, let window = windowStarts[start]
                        else {
                            fail("unexpected rollup line \(Self.printable(line.prefix(160)))")
                            return nil
                        }
                        let key = WindowKey(
                            tierMillis: tier == "10s" ? 10_000 : 30_000, windowStart: window, device: device,
                            metric: metric)
                        let total = totals[key, default: (0, 0)]
                        totals[key] = (total.count + count, total.sum + sum)
                    }
                }
            }
            var byTier: [Int64: Set<Int>] = [10_000: [], 30_000: []]
            var perWindow: [WindowKey: Int] = [:]
            for (key, total) in totals where (key.tierMillis == 10_000) == (key.metric == "v") {
                guard let bits = UInt64(exactly: total.sum) else {
                    fail("window \(key) sums to \(total.sum), not a whole number")
                    return nil
                }
                if bits.nonzeroBitCount != total.count {
                    fail("window \(key): \(total.count) readings but \(bits.nonzeroBitCount) distinct ones: counted twice")
                    return nil
                }
                for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 {
                    let bitKey = PowerCutWorkload.BitKey(
                        device: key.device, tierMillis: key.tierMillis,
                        windowStart: key.windowStart, bit: bit)
                    guard let index = workload.byBit[bitKey] else {
                        fail("window \(key) holds reading \(bit), which no message sent")
                        return nil
                    }
                    byTier[key.tierMillis, default: []].insert(index)
                }
            }
            let counted = byTier[10_000] ?? []
            if counted != byTier[30_000] ?? [] {
                let differing = counted.symmetricDifference(byTier[30_000] ?? []).sorted().prefix(10)
                fail("the 10s and 30s tiers count different messages: \(Array(differing))")
                return nil
            }
            for index in counted {
                let message = workload.messages[index]
                let tenSeconds = WindowKey(tierMillis: 10_000, windowStart: message.window10, device: message.device, metric: "w")
                let thirtySeconds = WindowKey(
                    tierMillis: 30_000, windowStart: message.window30, device: message.device, metric: "v")
                perWindow[tenSeconds, default: 0] += 1
                perWindow[thirtySeconds, default: 0] += 1
            }
            let crossChecked = totals.filter { (key, _) in (key.tierMillis == 10_000) != (key.metric == "v") }
            for (key, total) in crossChecked where perWindow[key] != total.count {
                fail("window \(key) counts \(total.count) readings, the messages counted elsewhere hold \(perWindow[key] ?? 0)")
                return nil
            }
            if let beyond = counted.first(where: { $0 >= pushedEnd }) {
                fail("message \(beyond) is counted but was never handed to a ring")
            }
            return counted
        }

        /// Window start timestamps as rollups spell them → milliseconds.
        lazy var windowStarts: [String: Int64] = {
            var starts: [String: Int64] = [:]
            for message in workload.messages {
                starts[UTCTimestamp.string(millis: message.window10)] = message.window10
                starts[UTCTimestamp.string(millis: message.window30)] = message.window30
            }
            return starts
        }()

        /// `text` with control characters (a power cut leaves NUL runs) shown as `\u{…}`.
        static func printable(_ text: Substring) -> String {
            text.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        }

        mutating func fail(_ text: String) {
            outcome.failures.append("seed \(trial.seed) \(trial.fsync) cut \(outcome.cuts) (event \(fileSystem.events)): \(text)")
        }
    }

    /// Collects the process's callbacks during one call (the closures cannot capture the state).
    final class Recorder {
        var began: [IngestCheckpoint] = []
        var completed: [[Int]] = []
        var ringSyncs = 0
    }
}
