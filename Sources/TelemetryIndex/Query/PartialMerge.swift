import Telemetry

/// The exact merge of rollup partials: windows of one series across time, the two records of a
/// window cut short by a restart, and series of a group. Every field of a record merges: the
/// plain numbers as `PartialNumbers` says; first and last go by event time; readings and
/// milliseconds add per state; quantile sketches as `SketchMerge` says.
///
/// The three merges differ only in a state series' fault runs, which join across windows of
/// one series that meet and never across series (`FaultRunMerge`): ``append(_:)`` takes the next
/// windows of the same series, ``addRestOfWindow(_:)`` the later record of one window, and
/// ``add(_:)`` another series. The caller knows which it has; `BucketScan` merges each
/// series' windows of a bucket in start order first and only then adds the series to its group.
public struct PartialMerge: Sendable, Equatable {
    /// Counts, moments, extremes, increase, resets and completeness.
    public private(set) var numbers = PartialNumbers()
    public private(set) var first: TimedValue?
    public private(set) var last: TimedValue?
    /// Readings and milliseconds per state, by the state name's bytes.
    public private(set) var states: [[UInt8]: (readings: Int64, millis: Int64)] = [:]
    /// The windows' quantile sketches merged (none in a merge of plain numbers).
    public private(set) var sketches = SketchMerge()

    public init() {}

    /// A merge of `numbers` alone: a query that asked for no first, last or state time.
    public init(numbers: PartialNumbers) { self.numbers = numbers }

    public var count: Int64 { numbers.count }
    public var sum: Double { numbers.sum }
    public var min: Double? { numbers.min }
    public var max: Double? { numbers.max }
    /// Sum of squared deviations from the mean, over the readings that had numbers.
    public var m2: Double { numbers.m2 }
    public var increase: Double? { numbers.increase }
    public var resets: Int64 { numbers.resets }
    /// Transitions, availability and the longest fault (state series).
    public var stateMeasures: StateMeasures { numbers.stateMeasures }
    public var mean: Double? { numbers.mean }
    /// Sample standard deviation (n − 1); nil below two readings.
    public var standardDeviation: Double? { numbers.standardDeviation }
    /// False once a window that was never finished is part of the merge.
    public var complete: Bool {
        get { numbers.complete }
        set { numbers.complete = newValue }
    }

    /// The sketch of every reading in the merge; nil when a window had none (see `SketchMerge`).
    public var sketch: QuantileSketch? { sketches.sketch }

    /// Milliseconds of state time in the merge, all states.
    public var stateMillis: Int64 { states.values.reduce(0) { $0 &+ $1.millis } }

    public static func == (lhs: PartialMerge, rhs: PartialMerge) -> Bool {
        lhs.numbers == rhs.numbers && lhs.first == rhs.first && lhs.last == rhs.last
            && lhs.states.mapValues { [$0.readings, $0.millis] } == rhs.states.mapValues { [$0.readings, $0.millis] }
            && lhs.sketches == rhs.sketches
    }

    /// The merge of one record's window alone. `windowComplete` says whether the window (all
    /// its records) was finished; a window cut short and never finished leaves any merge it
    /// joins incomplete.
    public init(_ record: RollupRecord, windowComplete: Bool) {
        self.init(
            numbers: PartialNumbers(
                count: record.count, sum: record.sum, m2: record.m2, min: record.min, max: record.max,
                increase: record.increase, resets: record.resets, complete: windowComplete,
                stateMeasures: StateMeasures(record)),
            first: record.first, last: record.last, states: record.states, sketches: SketchMerge(window: record.sketch))
    }

    /// The merge of one stored window's figures, as a record or a `partial` row holds them.
    init(numbers: PartialNumbers, first: TimedValue?, last: TimedValue?, states: [StateTime], sketches: SketchMerge) {
        (self.numbers, self.first, self.last, self.sketches) = (numbers, first, last, sketches)
        for state in states {
            let sofar = self.states[state.name] ?? (0, 0)
            self.states[state.name] = (sofar.readings &+ state.readings, sofar.millis &+ state.millis)
        }
    }

    /// Adds one record's window as another series' (see ``init(_:windowComplete:)`` and ``add(_:)``).
    public mutating func add(_ record: RollupRecord, windowComplete: Bool) {
        add(PartialMerge(record, windowComplete: windowComplete))
    }

    /// Adds another series' merge (a group's members): fault runs never join across series.
    public mutating func add(_ other: PartialMerge) {
        numbers.add(other.numbers)
        addNamed(other)
    }

    /// Appends the next windows of the same series, later in time: fault runs join across
    /// windows that meet.
    public mutating func append(_ later: PartialMerge) {
        numbers.append(later.numbers)
        addNamed(later)
    }

    /// Adds the later record of a window written in two (cut short, finished after a restart).
    public mutating func addRestOfWindow(_ rest: PartialMerge) {
        numbers.addRestOfWindow(rest.numbers)
        addNamed(rest)
    }

    /// Merges the figures that carry names and the sketches, alike in all three merges.
    private mutating func addNamed(_ other: PartialMerge) {
        if let value = other.first, value.millis < first?.millis ?? .max { first = value }
        if let value = other.last, value.millis >= last?.millis ?? .min { last = value }
        for (name, entry) in other.states {
            let sofar = states[name] ?? (0, 0)
            states[name] = (sofar.readings &+ entry.readings, sofar.millis &+ entry.millis)
        }
        sketches.add(other.sketches)
    }
}
