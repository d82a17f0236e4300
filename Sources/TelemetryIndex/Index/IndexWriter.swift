import Foundation
import Synchronization
import Telemetry

/// Keeps the query index up with the rollup log, on its own thread: it reads what the log
/// gained since the stored position and indexes it, so a slow disk or a long query never
/// slows ingestion (the engine never waits for it). On start it checks that the log still
/// holds the last line it indexed; crash recovery may have cut the log back, and then the rows
/// from the start of that segment on are removed and read again.
public final class IndexWriter: Sendable {
    /// Counts for status and metrics.
    public struct Progress: Sendable, Equatable {
        /// Records indexed by this writer.
        public var records = 0
        /// Lines skipped as not being rollup records.
        public var unreadableLines = 0
        /// Records indexed without their sketch, which did not decode.
        public var unreadableSketches = 0
        /// Bytes of log not indexed yet, as of the last pass.
        public var lagBytes: Int64 = 0
        /// Whether the last pass failed (the error was reported once).
        public var failing = false
        /// Rows deleted by retention.
        public var expiredRows = 0
    }

    /// How long the index keeps each tier's windows, and how often it deletes older ones.
    public struct Retention: Sendable, Equatable {
        /// Tier length (ms) → how long (ms) its windows stay; tiers not listed stay forever.
        public var keepMillis: [Int64: Int64]
        public var everyMillis: Int64

        public init(keepMillis: [Int64: Int64] = [:], everyMillis: Int64 = 600_000) {
            self.keepMillis = keepMillis
            self.everyMillis = everyMillis
        }
    }

    /// Log bytes read per transaction (about 8,000 records).
    static let batchBytes = 4 << 20

    private let index: RollupIndex
    private let reader: LogReader
    private let report: @Sendable (EngineEvent) -> Void
    private let pollInterval: Duration
    private let retention: Retention
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var progress = Progress()
        var stopping = false
        var started = false
    }

    /// A writer of `index` from the rollup log in `segments`; `report` receives what an
    /// operator should know (a cut-back log, a failing disk), from the writer's thread.
    public init(
        index: RollupIndex, segments: LogSegments, pollInterval: Duration = .milliseconds(200),
        retention: Retention = Retention(), report: @escaping @Sendable (EngineEvent) -> Void
    ) {
        self.index = index
        self.reader = LogReader(segments: segments)
        self.pollInterval = pollInterval
        self.retention = retention
        self.report = report
    }

    public var progress: Progress { state.withLock { $0.progress } }

    /// Indexes everything the log holds now, on the calling thread (`gateway reindex`, tests),
    /// then applies retention as of `nowMillis` (nil: none).
    public func catchUp(nowMillis: Int64? = nil) throws -> Progress {
        var session = try Session(writer: self)
        try session.catchUp()
        if let nowMillis { try session.expire(nowMillis: nowMillis) }
        return progress
    }

    /// Starts the thread that follows the log.
    public func start() {
        let thread = Thread { [self] in
            // Derived data: under load it lags rather than take cores from ingestion.
            ThreadPriority.lowerCurrentThread()
            run()
            finished.signal()
        }
        thread.name = "query-index"
        state.withLock { $0.started = true }
        thread.start()
    }

    /// Indexes what the log holds now, then stops the thread and waits for it.
    public func stop() {
        let started = state.withLock {
            $0.stopping = true
            return $0.started
        }
        if started { finished.wait() }
    }

    private func run() {
        var session: Session?
        var reportedFailure = false
        var lastExpiry = ContinuousClock.now.advanced(by: .seconds(-86_400))
        while true {
            let stopping = state.withLock { $0.stopping }
            do {
                if session == nil { session = try Session(writer: self) }
                try session?.catchUp()
                if ContinuousClock.now - lastExpiry >= .milliseconds(retention.everyMillis) {
                    try session?.expire(nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
                    lastExpiry = ContinuousClock.now
                }
                if reportedFailure {
                    report(EngineEvent(.notice, "the query index at \(index.path) is written again"))
                    reportedFailure = false
                }
                state.withLock { $0.progress.failing = false }
            } catch {
                state.withLock { $0.progress.failing = true }
                if !reportedFailure {
                    report(
                        EngineEvent(
                            .error,
                            "the query index at \(index.path) cannot be written: \(error); ingestion goes on, "
                                + "the index catches up from the log once this is fixed"))
                    reportedFailure = true
                }
                session = nil
            }
            if stopping { return }
            Thread.sleep(forTimeInterval: pollInterval.inSeconds)
        }
    }

    /// One run of catching up: the appender with its series cache, and the cursor.
    private struct Session {
        let writer: IndexWriter
        var appender: IndexAppender
        var cursor: LogCursor

        init(writer: IndexWriter) throws {
            self.writer = writer
            appender = try IndexAppender(index: writer.index)
            cursor = try writer.reader.start()
            guard let position = try writer.index.position() else { return }
            cursor = position.end
            if try !stillHolds(position) {
                let end = try writer.reader.end()
                let redo = LogCursor(segment: min(position.lastLine.segment, end.segment), offset: 0)
                let removed = try appender.removeRows(from: redo)
                writer.report(
                    EngineEvent(
                        .notice,
                        "the rollup log no longer holds what the query index read up to \(position.end) (cut back by "
                            + "crash recovery): \(removed) index rows removed, indexing again from \(redo)"))
                cursor = redo
            }
        }

        /// Whether the log still holds the last line indexed, at the same place.
        private func stillHolds(_ position: IndexPosition) throws -> Bool {
            if try writer.reader.read(from: position.end, maxBytes: 0).cursorBeyondEnd { return false }
            guard position.lastLineLength > 0 else { return true }
            // A segment older than the oldest kept was removed by retention, not cut back.
            if position.lastLine.segment < (try writer.reader.start()).segment { return true }
            guard let bytes = try writer.reader.bytes(at: position.lastLine, count: position.lastLineLength) else { return false }
            return CRC32C.checksum(bytes) == position.lastLineChecksum
        }

        mutating func expire(nowMillis: Int64) throws {
            let removed = try appender.applyRetention(writer.retention.keepMillis, nowMillis: nowMillis)
            writer.state.withLock { $0.progress.expiredRows += removed }
        }

        mutating func catchUp() throws {
            while true {
                let chunk = try writer.reader.read(from: cursor, maxBytes: IndexWriter.batchBytes)
                if chunk.cursorBeyondEnd {
                    throw IndexError(
                        path: writer.index.path, operation: "follow the rollup log",
                        reason: "the log was cut back below \(cursor) while the index followed it")
                }
                if chunk.end == cursor { break }
                let outcome = try appender.append(chunk.lines, end: chunk.end)
                cursor = chunk.end
                writer.state.withLock {
                    $0.progress.records += outcome.records
                    $0.progress.unreadableLines += outcome.unreadable
                    $0.progress.unreadableSketches += outcome.unreadableSketches
                }
            }
            let end = try writer.reader.end()
            let lag = end.segment == cursor.segment ? max(0, end.offset - cursor.offset) : end.offset
            writer.state.withLock { $0.progress.lagBytes = lag }
        }
    }
}
