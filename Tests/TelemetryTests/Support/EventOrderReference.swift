/// The documented counter and state rules computed the plain way, for tests: sort a series'
/// accepted readings by event time (equal times by arrival), then walk them. Written apart from
/// the aggregator (no pending lists, no window pools), so the two can check each other.
struct EventOrderReference {
    /// One accepted reading: its event time, its place in arrival order, and its value (a
    /// counter) or state.
    struct Reading {
        var timestampMillis: Int64
        var arrival: Int
        var value = 0.0
        var state = ""
    }

    /// What a window of one tier should hold.
    struct Window: Equatable, CustomStringConvertible {
        var count = 0
        var increase = 0.0
        var resets = 0
        var stateCounts: [String: Int] = [:]
        var stateMillis: [String: Int64] = [:]
        var transitions = 0
        /// The window's fault runs inside it; nil where they cannot be compared (a window
        /// written in two records, cut at a stop).
        var faults: Faults? = Faults()

        var description: String {
            "count \(count), increase \(increase), resets \(resets), states \(stateCounts), ms \(stateMillis), "
                + "transitions \(transitions), faults \(faults.map { "\($0)" } ?? "-")"
        }
    }

    /// The longest fault run inside a window, and the runs touching its start and its end.
    struct Faults: Equatable {
        var longest: Int64 = 0
        var leading: Int64 = 0
        var trailing: Int64 = 0
    }

    let tierLengths: [Int64]
    let horizonMillis: Int64
    /// The states whose runs `stateWindows` measures.
    var faultStates: Set<String> = ["fault"]

    private func start(of timestamp: Int64, length: Int64) -> Int64 {
        let remainder = timestamp % length
        return timestamp - (remainder < 0 ? remainder + length : remainder)
    }

    private func inEventOrder(_ readings: [Reading]) -> [Reading] {
        readings.sorted { ($0.timestampMillis, $0.arrival) < ($1.timestampMillis, $1.arrival) }
    }

    /// Windows by tier length and start for a counter: each reading after the first adds its
    /// difference to the reading before it in event order (a drop: a reset, the value counted
    /// from zero) to its own window; a window exists only where a reading is.
    func counterWindows(_ readings: [Reading]) -> [Int64: [Int64: Window]] {
        var result: [Int64: [Int64: Window]] = [:]
        var previous: Double?
        for reading in inEventOrder(readings) {
            var increase = 0.0
            var reset = false
            if let previous {
                if reading.value < previous {
                    (increase, reset) = (reading.value, true)
                } else {
                    increase = reading.value - previous
                }
            }
            previous = reading.value
            for length in tierLengths {
                var window = result[length, default: [:]][start(of: reading.timestampMillis, length: length), default: Window()]
                window.count += 1
                window.increase += increase
                if reset { window.resets += 1 }
                result[length, default: [:]][start(of: reading.timestampMillis, length: length)] = window
            }
        }
        return result
    }

    /// Windows by tier length and start for a state: each reading's state lasts until the next
    /// reading in event order, at most the horizon; the last one until `endMillis`, at most the
    /// horizon. Zero-length stretches credit nothing.
    ///
    /// A reading whose state differs from the one before it in event order is a transition in
    /// its window. The fault runs are the stretches of fault states joined where one ends as the
    /// next begins; each window measures the parts of runs inside it.
    func stateWindows(_ readings: [Reading], endMillis: Int64) -> [Int64: [Int64: Window]] {
        var result: [Int64: [Int64: Window]] = [:]
        let ordered = inEventOrder(readings)
        var runs: [(start: Int64, end: Int64)] = []
        for (position, reading) in ordered.enumerated() {
            let next = position + 1 < ordered.count ? ordered[position + 1].timestampMillis : endMillis
            let until = min(next, reading.timestampMillis + horizonMillis)
            if faultStates.contains(reading.state) && until > reading.timestampMillis {
                if let last = runs.last, last.end == reading.timestampMillis {
                    runs[runs.count - 1].end = until
                } else {
                    runs.append((reading.timestampMillis, until))
                }
            }
            let isTransition = position > 0 && ordered[position - 1].state != reading.state
            for length in tierLengths {
                let home = start(of: reading.timestampMillis, length: length)
                result[length, default: [:]][home, default: Window()].count += 1
                result[length, default: [:]][home, default: Window()].stateCounts[reading.state, default: 0] += 1
                if isTransition { result[length, default: [:]][home, default: Window()].transitions += 1 }
                var cursor = reading.timestampMillis
                while cursor < until {
                    let windowStart = start(of: cursor, length: length)
                    let end = min(until, windowStart + length)
                    result[length, default: [:]][windowStart, default: Window()].stateMillis[reading.state, default: 0] +=
                        end - cursor
                    cursor = end
                }
            }
        }
        for length in tierLengths {
            for (windowStart, window) in result[length, default: [:]] {
                var faults = Faults()
                let windowEnd = windowStart + length
                for run in runs where run.end > windowStart && run.start < windowEnd {
                    let (from, to) = (max(run.start, windowStart), min(run.end, windowEnd))
                    faults.longest = max(faults.longest, to - from)
                    if from == windowStart { faults.leading = to - from }
                    if to == windowEnd { faults.trailing = to - from }
                }
                var updated = window
                updated.faults = faults
                result[length, default: [:]][windowStart] = updated
            }
        }
        return result
    }
}
