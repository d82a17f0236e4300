/// Writes closed windows to the rollup log and rejected input to the quarantine log.
///
/// A write failure (disk full, I/O error) is logged once per episode with the path; the logs
/// keep unwritten lines in memory and the next flush retries, so nothing is lost while the
/// process lives. Used on the pipeline thread only.
final class LogSink: IngestSink {
    let rollups: SegmentedLog
    let quarantine: SegmentedLog
    /// Longest quarantine line (`storage.quarantine_max_line`).
    private let quarantineMaxLineBytes: Int
    private let observer: EngineObserver
    private var line = JSONLineBuilder()
    private var failingPaths: Set<String> = []

    init(rollups: SegmentedLog, quarantine: SegmentedLog, quarantineMaxLineBytes: Int = 4_096, observer: EngineObserver) {
        self.rollups = rollups
        self.quarantine = quarantine
        self.quarantineMaxLineBytes = quarantineMaxLineBytes
        self.observer = observer
    }

    /// True while a log cannot be written.
    var isFailing: Bool { !failingPaths.isEmpty }

    /// Lines accepted but not yet written to disk, in bytes.
    var bufferedBytes: Int { rollups.bufferedBytes + quarantine.bufferedBytes }

    func write(_ rollup: RollupWindow) {
        rollup.write(to: &line)
        append(to: rollups)
    }

    func write(_ record: QuarantineRecord) {
        record.write(to: &line, maxBytes: quarantineMaxLineBytes)
        append(to: quarantine)
    }

    /// Deletes old segments of each log under its retention policy, then removes expired tiers'
    /// lines from the rotated segments left (the rollup log's `rollup.retention`), never touching
    /// a segment that the kept checkpoint whose log positions are `rollups` and `quarantine` may
    /// need; logs what it removed, and a failure once per episode like any other storage error.
    func applyRetention(
        keepingRollupsFrom rollupPosition: LogPosition, quarantineFrom quarantinePosition: LogPosition,
        nowMillis: Int64
    ) {
        for (log, position) in [(rollups, rollupPosition), (quarantine, quarantinePosition)] {
            attempt(log) {
                let outcome = try log.segments.applyRetention(
                    maxBytes: log.policy.retainBytes, maxAgeMillis: log.policy.retainAgeMillis,
                    keepingFrom: position.nextRotationSequence, nowMillis: nowMillis)
                if outcome.segmentsRemoved > 0 {
                    observer.record(
                        EngineEvent(
                            .info,
                            """
                            retention: deleted \(outcome.segmentsRemoved) old segment(s), \(outcome.bytesRemoved) bytes, of \
                            \(log.segments.directory)
                            """))
                }
                let tiers = try log.applyTierRetention(keepingFrom: position.nextRotationSequence, nowMillis: nowMillis)
                if tiers.linesRemoved > 0 {
                    observer.record(
                        EngineEvent(
                            .info,
                            """
                            retention: removed \(tiers.linesRemoved) expired line(s), \(tiers.bytesRemoved) bytes, of \
                            \(log.segments.directory): \(tiers.segmentsRewritten) segment(s) rewritten, \
                            \(tiers.segmentsRemoved) left empty and deleted
                            """))
                }
            }
        }
    }

    /// Writes buffered lines and applies each log's fsync and rotation policy.
    func flush(nowMillis: Int64) {
        for log in [rollups, quarantine] {
            attempt(log) { try log.flush(nowMillis: nowMillis) }
        }
    }

    /// Forces both logs to stable storage (before a checkpoint that must survive a power cut).
    func sync() {
        for log in [rollups, quarantine] {
            attempt(log) { try log.sync() }
        }
    }

    /// Flushes, fsyncs and closes both logs (shutdown).
    func close(nowMillis: Int64) {
        for log in [rollups, quarantine] {
            attempt(log) {
                try log.flush(nowMillis: nowMillis)
                try log.sync()
                try log.close()
            }
        }
    }

    private func append(to log: SegmentedLog) {
        attempt(log) {
            try line.bytes.withUnsafeBytes { try log.append($0) }
        }
    }

    private func attempt(_ log: SegmentedLog, _ body: () throws -> Void) {
        do {
            try body()
            if failingPaths.remove(log.path) != nil {
                observer.record(EngineEvent(.notice, "writing \(log.path) works again; buffered lines written, ingest resumes"))
            }
        } catch {
            if failingPaths.insert(log.path).inserted {
                observer.record(
                    EngineEvent(
                        .error,
                        """
                        cannot write \(log.path): \(error); not taking new messages (the broker keeps them) \
                        and retrying every \(IngestEngine.storageRetryMillis) ms
                        """))
            }
        }
    }
}
