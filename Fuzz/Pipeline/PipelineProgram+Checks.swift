import Telemetry

/// The checks shared by every operation: stats, new rollups, and the twin against the primary.
extension PipelineProgram {
    /// Counters after one operation: none negative, the monotonic ones not decreasing, the
    /// quarantine counts grown by exactly the readings rejected in `records` (one per single
    /// record, a summary's count), the rollup count by the rollups written, and the missing-seq
    /// total equal to its sum over devices (until it saturates).
    func checkStats(before: PipelineStats, after: PipelineStats, records: [QuarantineRecord]) {
        func grows(_ name: StaticString, _ old: Int, _ new: Int) {
            Invariant.require(new >= old && new >= 0, "stats.\(name) went from \(old) to \(new)")
        }
        grows("messages", before.messages, after.messages)
        grows("readingsAccepted", before.readingsAccepted, after.readingsAccepted)
        grows("seqRestarts", before.seqRestarts, after.seqRestarts)
        grows("rollupsWritten", before.rollupsWritten, after.rollupsWritten)
        grows("redeliveredMessages", before.redeliveredMessages, after.redeliveredMessages)
        grows("redeliveredReadings", before.redeliveredReadings, after.redeliveredReadings)
        grows("retainedSkipped", before.retainedSkipped, after.retainedSkipped)
        // A summary record counts its readings under their own reasons, which only its detail
        // lists: every reason grows by at least its single records, by at most that plus the
        // summarised readings, and all of them by every rejected reading.
        let summarised = records.reduce(0) { $0 + ($1.readings ?? 0) }
        var grownInAll = 0
        Invariant.require(
            before.quarantined.keys.allSatisfy { after.quarantined[$0] != nil }, "a quarantine reason's count disappeared")
        for reason in after.quarantined.keys {
            let grown = (after.quarantined[reason] ?? 0) - (before.quarantined[reason] ?? 0)
            let written = records.count { $0.reason == reason && $0.readings == nil }
            Invariant.require(
                grown >= written && grown <= written + summarised && (after.quarantined[reason] ?? 0) >= 0,
                "stats.quarantined[\(reason)] grew by \(grown) for \(written) records and \(summarised) summarised readings")
            grownInAll += grown
        }
        Invariant.require(
            grownInAll == records.count { $0.readings == nil } + summarised,
            "quarantine counts grew by \(grownInAll) for \(records.count) records of \(summarised) summarised readings")
        Invariant.require(
            records.allSatisfy { after.quarantined[$0.reason] != nil }, "a quarantine record's reason is not counted")
        Invariant.require(
            after.rollupsWritten - before.rollupsWritten == primarySink.rollups.count - checkedRollups,
            "stats.rollupsWritten grew by \(after.rollupsWritten - before.rollupsWritten), \(primarySink.rollups.count - checkedRollups) rollups were written"
        )
        checkedRollups = primarySink.rollups.count
        Invariant.require(after.seqMissing >= 0, "stats.seqMissing is \(after.seqMissing)")
        var sum: Int64 = 0
        for (device, missing) in after.seqMissingByDevice {
            Invariant.require(missing >= 0, "stats.seqMissingByDevice[\(device)] is \(missing)")
            let (total, overflow) = sum.addingReportingOverflow(missing)
            sum = total
            if overflow || missing >= 1 << 62 { seqCountsSaturated = true }
        }
        if after.seqMissing >= 1 << 62 { seqCountsSaturated = true }
        if !seqCountsSaturated {
            Invariant.require(sum == after.seqMissing, "stats.seqMissing \(after.seqMissing) != \(sum), its sum over devices")
        }
    }

    /// The primary's rollups written by the last operation: each passes `RollupCheck`, and
    /// each window has counted no more readings than were accepted into it.
    func checkNewRollups(complete: Bool) {
        for rollup in primarySink.rollups[checkedRollups...] {
            Trace.log(
                "  rollup \(rollup.tier.name) \(rollup.startMillis - PipelineFixture.startMillis) \(rollup.series.device.device) \(rollup.series.metric.debugDescription) count \(rollup.partial.count)"
            )
            RollupCheck.check(rollup, complete: complete, tiers: settings.tiers)
            ledger.observe(rollup)
        }
    }

    /// After an operation on both pipelines: the twin's stats, clock, series and open windows
    /// equal the primary's, and so do the records and rollups both wrote since the last
    /// comparison (records compared without their payload excerpt, whose rate limit is not part
    /// of a checkpoint).
    func compareTwin() {
        guard let twin, let twinSink else { return }
        Invariant.require(twin.stats == primary.stats, "twin stats \(twin.stats) != primary stats \(primary.stats)")
        Invariant.require(twin.latestReceivedMillis == primary.latestReceivedMillis, "twin latestReceivedMillis differs")
        Invariant.require(
            twin.seriesCount == primary.seriesCount && twin.openWindowCount == primary.openWindowCount,
            "twin has \(twin.seriesCount) series and \(twin.openWindowCount) open windows, the primary \(primary.seriesCount) and \(primary.openWindowCount)"
        )
        let records = (primarySink.quarantined[comparedRecords.primary...], twinSink.quarantined[comparedRecords.twin...])
        Invariant.require(
            records.0.elementsEqual(records.1) { withoutExcerpt($0) == withoutExcerpt($1) },
            "twin quarantined \(Array(records.1)), the primary \(Array(records.0))")
        let rollups = (primarySink.rollups[comparedRollups.primary...], twinSink.rollups[comparedRollups.twin...])
        Invariant.require(rollups.0.elementsEqual(rollups.1), "twin wrote \(Array(rollups.1)), the primary \(Array(rollups.0))")
        comparedRecords = (primarySink.quarantined.count, twinSink.quarantined.count)
        comparedRollups = (primarySink.rollups.count, twinSink.rollups.count)
    }

    /// A metric name as a quarantine record gives it: cut after `settings.maxNameBytes` bytes
    /// (whole scalars) and marked with "…" when longer (such a reading is `name_too_long`).
    func recordedName(_ name: String) -> String {
        guard name.utf8.count > settings.maxNameBytes else { return name }
        var cut = String.UnicodeScalarView()
        var bytes = 0
        for scalar in name.unicodeScalars {
            bytes += UTF8.width(scalar)
            guard bytes <= settings.maxNameBytes else { break }
            cut.append(scalar)
        }
        return String(cut) + "…"
    }

    /// `record` with its payload excerpt left out.
    func withoutExcerpt(_ record: QuarantineRecord) -> QuarantineRecord {
        var copy = record
        copy.payloadExcerpt = ""
        copy.payloadOmitted = false
        return copy
    }
}
