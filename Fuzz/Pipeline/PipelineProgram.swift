import Telemetry

/// One fuzz input run as a program of operations on an `IngestPipeline` (the "primary") and,
/// after the first checkpoint operation, on a "twin" restored from the primary's checkpoint.
/// Entry.swift documents the input format and the invariants; every operation is followed by
/// the checks that apply to it, and a broken one traps (`Invariant`).
final class PipelineProgram {
    /// The last message ingested, for the redelivery operations and what they must give.
    struct Delivered {
        var topic: Int
        var payload: [UInt8]
        var packetID: UInt16
        var fullSize: Int?
        /// Not quarantined as a whole: its `seq` and fingerprint were recorded.
        var admitted: Bool
        /// Its decoded `seq`, readings, and whether every reading carries `ts`.
        var seq: UInt64?
        var readingCount: Int
        var allTimestamped: Bool
    }

    /// How a message relates to the one before it.
    enum Delivery {
        /// A message of its own.
        case fresh
        /// A message of its own delivered with MQTT's retain flag (the broker's stored copy).
        case retained
        /// The previous message again with its packet id (the broker's QoS 1 redelivery).
        case redelivery
        /// The previous message again under another packet id (the device resending it).
        case resend
    }

    let settings: PipelineSettings
    let catalogue: MetricCatalogue
    /// Messages go through `PipelineFixture.ring` to the primary (never to the twin).
    let viaRing: Bool
    let decoder: PayloadDecoder

    let primary: IngestPipeline
    let primarySink = RecordingSink()
    /// The pipeline restored from the primary's last checkpoint, and its sink.
    var twin: IngestPipeline?
    var twinSink: RecordingSink?
    /// Records and rollups of the primary and of the twin already compared with each other.
    var comparedRecords = (primary: 0, twin: 0)
    var comparedRollups = (primary: 0, twin: 0)
    /// Rollups of the primary already checked.
    var checkedRollups = 0

    /// Receive time of the next message, milliseconds since the epoch.
    var nowMillis = PipelineFixture.startMillis
    var generator = PayloadGenerator()
    var ledger: WindowLedger
    var last: Delivered?
    /// Set once a missing-seq count came near `Int64.max`: from then on the total may
    /// saturate, and it is no longer compared with the sum over devices.
    var seqCountsSaturated = false

    /// A program whose settings come from `flags` and `more` (the input's first two bytes):
    /// bit 0 of `flags` the strict catalogue, bit 1 the ring, the others
    /// `PipelineFixture.settings(flags:more:)`.
    init(flags: UInt8, more: UInt8) {
        settings = PipelineFixture.settings(flags: flags, more: more)
        catalogue = flags & 1 != 0 ? PipelineFixture.strictCatalogue : PipelineFixture.lenientCatalogue
        viaRing = flags & 2 != 0
        decoder = PayloadDecoder(maxReadings: settings.maxReadingsPerMessage)
        primary = IngestPipeline(settings: settings, catalogue: catalogue, sink: primarySink)
        ledger = WindowLedger(tiers: settings.tiers)
    }

    /// Runs `input` (two settings bytes, then operations until the input ends), then writes
    /// every open window and checks that the rollups account for every accepted reading.
    static func run(_ input: [UInt8]) {
        var reader = ProgramReader(input)
        let flags = reader.byte()
        let more = reader.byte()
        let program = PipelineProgram(flags: flags, more: more)
        Trace.log(
            "settings: strict \(flags & 1 != 0), ring \(program.viaRing), tiers \(program.settings.tiers.map(\.name)), lateness \(program.settings.allowedLatenessMillis) ms, redelivery window \(program.settings.redeliveryWindow), maxSeries \(program.settings.maxSeries), single records \(program.settings.readingRecordsPerMessage), acceptRetained \(program.settings.acceptRetained), maxNameBytes \(program.settings.maxNameBytes)"
        )
        while !reader.isAtEnd {
            program.step(&reader)
        }
        Trace.log("end of program")
        program.flushAll()
        Invariant.require(program.primary.openWindowCount == 0, "\(program.primary.openWindowCount) windows open after flushAll")
        program.ledger.verifyAllWritten(acceptedReadings: program.primary.stats.readingsAccepted)
    }

    /// One operation; its byte modulo 16 selects it (see Entry.swift).
    func step(_ reader: inout ProgramReader) {
        let operation = reader.byte() % 16
        switch operation {
        case 0...5:
            let topic = Int(reader.byte()) % PipelineFixture.topics.count
            let packetID = UInt16(reader.byte())
            let payload = generator.payload(topic: topic, nowMillis: nowMillis, reader: &reader)
            ingest(topic: topic, payload: payload, packetID: packetID, delivery: operation == 5 ? .retained : .fresh)
        case 6, 7:
            let topic = Int(reader.byte()) % PipelineFixture.topics.count
            let packetID = UInt16(reader.byte())
            let length = reader.uint16()
            let payload = reader.bytes(upTo: Int(length & 0x0FFF))
            // Bit 15: the payload is the beginning of a larger one, cut to fit the ring.
            let fullSize = length & 0x8000 != 0 ? settings.maxPayloadBytes + 1 + Int(length >> 12 & 7) * 1_000 : nil
            ingest(topic: topic, payload: payload, packetID: packetID, delivery: .fresh, fullSize: fullSize)
        case 8, 9:
            advanceClock(reader.byte(), reader.byte())
        case 10, 11:
            closeWindows(reader.byte())
        case 12:
            checkpoint(reader.byte(), damageAt: Int(reader.uint16()))
        case 13:
            if let last {
                ingest(
                    topic: last.topic, payload: last.payload, packetID: last.packetID, delivery: .redelivery,
                    fullSize: last.fullSize)
            }
        case 14:
            flushAll()
        default:
            if let last {
                ingest(
                    topic: last.topic, payload: last.payload, packetID: last.packetID &+ 1, delivery: .resend,
                    fullSize: last.fullSize)
            }
        }
    }

    // MARK: Operations

    /// Moves the receive clock: by `amount` ms, × 100 ms or × 10 s forward, or `amount` ms
    /// back (a wall clock may step back), as the top bits of `mode` say.
    func advanceClock(_ mode: UInt8, _ amount: UInt8) {
        let amount = Int64(amount)
        switch mode >> 6 {
        case 0: nowMillis += amount
        case 1: nowMillis += amount * 100
        case 2: nowMillis += amount * 10_000
        default: nowMillis -= amount
        }
        Trace.log("clock: now \(nowMillis) (start + \(nowMillis - PipelineFixture.startMillis) ms)")
    }

    /// `closeWindows` with an ingest clock 0–15.75 s after the receive clock (bits 0–5 × 250
    /// ms); bit 6 says receiving resumed now, bit 7 times the closes against the clock.
    func closeWindows(_ choice: UInt8) {
        let clock = nowMillis + Int64(choice & 0x3F) * 250
        let resumed = choice & 0x40 != 0 ? nowMillis : .min
        let now = choice & 0x80 != 0 ? nowMillis : .min
        let before = primary.stats
        Trace.log(
            "closeWindows: ingest clock now + \(clock - nowMillis) ms, resumed \(resumed != .min ? "now" : "-"), timed \(now != .min)"
        )
        primary.closeWindows(ingestClockMillis: clock, resumedAtMillis: resumed, nowMillis: now)
        twin?.closeWindows(ingestClockMillis: clock, resumedAtMillis: resumed, nowMillis: now)
        checkNewRollups(complete: true)
        checkStats(before: before, after: primary.stats, records: [])
        compareTwin()
    }

    /// `flushAll` on both pipelines: every open window written as incomplete.
    func flushAll() {
        let before = primary.stats
        Trace.log("flushAll")
        primary.flushAll()
        twin?.flushAll()
        checkNewRollups(complete: false)
        checkStats(before: before, after: primary.stats, records: [])
        compareTwin()
    }

    /// Checkpoints the primary and restores the bytes into a fresh pipeline (or, with bit 2 of
    /// `choice` and a twin present, into the twin, over its state), which becomes the twin.
    /// The restored pipeline must checkpoint to the same bytes. With bit 0, the old twin's own
    /// checkpoint must equal the primary's first. With bit 1, a copy of the bytes damaged at
    /// `damageAt` (cut there, or that byte changed) is restored into a scratch pipeline: no
    /// trap, and a refused restore leaves it as it was.
    func checkpoint(_ choice: UInt8, damageAt: Int) {
        let state = primary.checkpointState()
        Trace.log(
            "checkpoint (\(state.count) bytes): compare the twin's \(choice & 1 != 0), damaged copy \(choice & 2 != 0 ? (choice & 8 != 0 ? "cut" : "changed") + " at \(damageAt % (state.count + 1))" : "-"), into the old twin \(choice & 4 != 0 && twin != nil)"
        )
        if choice & 1 != 0, let twin {
            Invariant.require(
                twin.checkpointState() == state, "the twin's checkpoint differs from the primary's after the same messages")
        }
        if choice & 2 != 0 {
            var damaged = state
            let position = damageAt % (state.count + 1)
            if choice & 8 != 0 || position == state.count {
                damaged.removeSubrange(position...)
            } else {
                damaged[position] ^= UInt8(truncatingIfNeeded: damageAt >> 8) | 1
            }
            let scratch = IngestPipeline(settings: settings, catalogue: catalogue, sink: RecordingSink())
            let untouched = scratch.checkpointState()
            do {
                try scratch.restoreState(damaged)
            } catch {
                Invariant.require(scratch.checkpointState() == untouched, "a refused restore (\(error)) changed the pipeline")
            }
        }
        let target: IngestPipeline
        let sink: RecordingSink
        if choice & 4 != 0, let twin, let twinSink {
            (target, sink) = (twin, twinSink)
        } else {
            sink = RecordingSink()
            target = IngestPipeline(settings: settings, catalogue: catalogue, sink: sink)
        }
        do {
            try target.restoreState(state)
        } catch {
            Invariant.fail("restoring the pipeline's own checkpoint failed: \(error)")
        }
        Invariant.require(
            target.checkpointState() == state, "the restored pipeline checkpoints to other bytes than it was restored from")
        Invariant.require(target.stats == primary.stats, "restored stats \(target.stats) differ from \(primary.stats)")
        (twin, twinSink) = (target, sink)
        comparedRecords = (primarySink.quarantined.count, sink.quarantined.count)
        comparedRollups = (primarySink.rollups.count, sink.rollups.count)
        compareTwin()
    }
}
