import Foundation

/// One machine's states as an explicit list of intervals, the 1-minute state records a gateway
/// writes of them (with transitions, up and planned time and fault runs), and the figures a
/// bucket should have, computed from the intervals rather than from the records' merge.
///
/// Up time is `running`, planned time `running`, `idle` and `fault`, fault time `fault`: the
/// metric defaults. Each reading starts a segment; a reading in the state of the one before
/// it is not a transition.
struct StateTimeline {
    static let start: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z
    static let window: Int64 = 60_000

    /// One record: a window, the part of it the record covers, and whether it carries the measures.
    struct Piece {
        var window: Range<Int64>
        var part: Range<Int64>
        var complete: Bool
        var measured: Bool
    }

    var site: String
    var device: String
    /// Readings: each state holds from its second until the next reading's, the last until `endSecond`.
    var readings: [(second: Int64, state: String)]
    var endSecond: Int64
    /// The minutes written; a minute left out is a gap in the log.
    var minutes: [Int64]
    /// Minutes written in two records, the first cut short at this second (a stop), the second
    /// finishing the window after the restart.
    var cuts: [Int64: Int64] = [:]
    /// Minutes written by a gateway from before the measures: records without them.
    var unmeasured: Set<Int64> = []

    static func millis(second: Int64) -> Int64 { start + second * 1000 }

    static func length(_ range: Range<Int64>) -> Int64 { range.upperBound - range.lowerBound }

    /// Each reading's state over its interval (ms).
    var intervals: [(range: Range<Int64>, state: String)] {
        readings.indices.map { index in
            let until = index + 1 < readings.count ? readings[index + 1].second : endSecond
            return (Self.millis(second: readings[index].second)..<Self.millis(second: until), readings[index].state)
        }
    }

    /// The records, in log order.
    var pieces: [Piece] {
        minutes.flatMap { minute -> [Piece] in
            let window = Self.start + minute * Self.window..<Self.start + (minute + 1) * Self.window
            let measured = !unmeasured.contains(minute)
            guard let cut = cuts[minute].map(Self.millis(second:)) else {
                return [Piece(window: window, part: window, complete: true, measured: measured)]
            }
            return [
                Piece(window: window, part: window.lowerBound..<cut, complete: false, measured: measured),
                Piece(window: window, part: cut..<window.upperBound, complete: true, measured: measured),
            ]
        }
    }

    /// Milliseconds of `range` in the states `names`.
    func millis(in range: Range<Int64>, states names: Set<String>) -> Int64 {
        intervals.filter { names.contains($0.state) }.reduce(0) { sum, interval in
            sum + max(0, min(interval.range.upperBound, range.upperBound) - max(interval.range.lowerBound, range.lowerBound))
        }
    }

    /// The fault time in `range` as maximal intervals (consecutive fault readings are one run).
    func faults(in range: Range<Int64>) -> [Range<Int64>] {
        var runs: [Range<Int64>] = []
        for interval in intervals where interval.state == "fault" {
            let (from, to) = (max(interval.range.lowerBound, range.lowerBound), min(interval.range.upperBound, range.upperBound))
            guard from < to else { continue }
            let clipped = from..<to
            if let last = runs.last, last.upperBound == clipped.lowerBound {
                runs[runs.count - 1] = last.lowerBound..<clipped.upperBound
            } else {
                runs.append(clipped)
            }
        }
        return runs
    }

    /// Readings in `range` whose state differs from the reading before (the first has none).
    func transitions(in range: Range<Int64>) -> Int64 {
        Int64(
            readings.indices.dropFirst().filter {
                range.contains(Self.millis(second: readings[$0].second)) && readings[$0].state != readings[$0 - 1].state
            }.count)
    }

    /// The record lines, in log order.
    func lines() -> [String] { pieces.map(line) }

    private func line(_ piece: Piece) -> String {
        let inside = readings.filter { piece.part.contains(Self.millis(second: $0.second)) }
        let states = Set(intervals.map(\.state)).sorted()
        let counts = states.compactMap { state -> String? in
            let count = inside.filter { $0.state == state }.count
            return count > 0 ? "\"\(state)\":\(count)" : nil
        }
        let times = states.compactMap { state -> String? in
            let millis = millis(in: piece.part, states: [state])
            return millis > 0 ? "\"\(state)\":\(millis)" : nil
        }
        var fields = [
            "\"tier\":\"1m\"", "\"start\":\"\(ReferenceSeries.time(piece.window.lowerBound))\"",
            "\"end\":\"\(ReferenceSeries.time(piece.window.upperBound))\"", "\"park\":\"p\"", "\"site\":\"\(site)\"",
            "\"device\":\"\(device)\"", "\"metric\":\"machine_state\"", "\"kind\":\"state\"", "\"unit\":\"\"",
            "\"count\":\(inside.count)", "\"state_count\":{\(counts.joined(separator: ","))}",
            "\"state_ms\":{\(times.joined(separator: ","))}",
        ]
        if piece.measured {
            let up = millis(in: piece.part, states: ["running"])
            let planned = millis(in: piece.part, states: ["running", "idle", "fault"])
            let runs = faults(in: piece.part)
            let leading = runs.first.map { $0.lowerBound == piece.window.lowerBound ? Self.length($0) : 0 } ?? 0
            let trailing = runs.last.map { $0.upperBound == piece.window.upperBound ? Self.length($0) : 0 } ?? 0
            fields += [
                "\"transitions\":\(transitions(in: piece.part))", "\"up_ms\":\(up)", "\"planned_ms\":\(planned)",
                "\"availability\":\(planned > 0 ? "\(Double(up) / Double(planned))" : "null")",
                "\"longest_fault_ms\":\(runs.map(Self.length).max() ?? 0)", "\"leading_fault_ms\":\(leading)",
                "\"trailing_fault_ms\":\(trailing)",
            ]
        }
        for (name, reading) in [("first", inside.first), ("last", inside.last)] {
            let value = reading.map {
                "{\"ts\":\"\(ReferenceSeries.time(Self.millis(second: $0.second)))\",\"v\":\"\($0.state)\"}"
            }
            fields.append("\"\(name)\":\(value ?? "null")")
        }
        fields.append("\"complete\":\(piece.complete)")
        return "{" + fields.joined(separator: ",") + "}"
    }

    // MARK: What a bucket should answer, from the intervals

    /// The records whose window starts in `bucket`.
    func pieces(in bucket: Range<Int64>) -> [Piece] { pieces.filter { bucket.contains($0.window.lowerBound) } }

    /// Transitions of the bucket's measured records; nil when none is measured.
    func expectedTransitions(in bucket: Range<Int64>) -> Int64? {
        let measured = pieces(in: bucket).filter(\.measured)
        return measured.isEmpty ? nil : measured.reduce(0) { $0 + transitions(in: $1.part) }
    }

    /// Up and planned milliseconds of the bucket's records; nil when one is not measured.
    func expectedTimes(in bucket: Range<Int64>) -> (up: Int64, planned: Int64)? {
        let inside = pieces(in: bucket)
        guard inside.allSatisfy(\.measured) else { return nil }
        return inside.reduce((0, 0)) { sum, piece in
            (
                sum.0 + millis(in: piece.part, states: ["running"]),
                sum.1 + millis(in: piece.part, states: ["running", "idle", "fault"])
            )
        }
    }

    /// The longest fault run within the bucket's records: runs join across the boundary of two
    /// windows both written, not across a gap, and not at the cut inside a window written in
    /// two (the documented limit); nil when a record is not measured.
    func expectedLongestFault(in bucket: Range<Int64>) -> Int64? {
        let inside = pieces(in: bucket)
        guard inside.allSatisfy(\.measured) else { return nil }
        var runs: [Range<Int64>] = []
        for piece in inside {
            for run in faults(in: piece.part) {
                if let last = runs.last, last.upperBound == run.lowerBound, (run.lowerBound - Self.start) % Self.window == 0 {
                    runs[runs.count - 1] = last.lowerBound..<run.upperBound
                } else {
                    runs.append(run)
                }
            }
        }
        return runs.map(Self.length).max() ?? 0
    }
}
