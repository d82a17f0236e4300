import Telemetry

/// What state records say beyond the time per state: transitions, up and planned time, and
/// fault runs, merged over a bucket's windows and a group's series. Records written before
/// they carried these fields, and records of other kinds, lack them; each figure says how a
/// merge that includes such a window answers.
///
/// Sums merge alike however two merges relate; fault runs do not (see `FaultRunMerge`), so this
/// has the same three merges: ``append(_:)``, ``addRestOfWindow(_:)`` and ``add(_:)``.
public struct StateMeasures: Sendable, Equatable {
    /// Readings whose state differs from the series' previous one, summed over the windows
    /// that state it; nil when none does.
    public private(set) var transitions: Int64?
    private var upMillis: Int64 = 0
    private var plannedMillis: Int64 = 0
    /// False once a window without up or planned time is part of the merge.
    private var timesKnown = true
    private var faults: FaultRunMerge?
    /// False once a window without its fault runs is part of the merge.
    private var faultsKnown = true

    /// The empty merge.
    public init() {}

    /// One window's figures, as a record or a `partial` row holds them: nil where it has none.
    init(
        window: Range<Int64>, transitions: Int64?, upMillis: Int64?, plannedMillis: Int64?, longestFault: Int64?,
        leadingFault: Int64?, trailingFault: Int64?
    ) {
        self.transitions = transitions
        if let upMillis, let plannedMillis {
            (self.upMillis, self.plannedMillis) = (upMillis, plannedMillis)
        } else {
            timesKnown = false
        }
        if let longestFault, let leadingFault, let trailingFault {
            faults = FaultRunMerge(window: window, longest: longestFault, leading: leadingFault, trailing: trailingFault)
        } else {
            faultsKnown = false
        }
    }

    /// The figures of one record's window.
    init(_ record: RollupRecord) {
        self.init(
            window: record.startMillis..<record.endMillis, transitions: record.transitions, upMillis: record.upMillis,
            plannedMillis: record.plannedMillis, longestFault: record.longestFaultMillis,
            leadingFault: record.leadingFaultMillis, trailingFault: record.trailingFaultMillis)
    }

    /// Up time over planned time, summed over the windows and series; nil when no time was
    /// planned or when a window lacks either figure (its time would be missing from the ratio).
    public var availability: Double? {
        guard timesKnown, plannedMillis > 0 else { return nil }
        return Double(upMillis) / Double(plannedMillis)
    }

    /// The longest continuous fault time of any one series; nil when a window lacks its runs.
    public var longestFaultMillis: Int64? { faultsKnown ? faults?.longest : nil }

    /// Adds another series' figures (of a group): its fault runs never join these.
    public mutating func add(_ other: StateMeasures) {
        addSums(other)
        merge(other.faults) { $0.add($1) }
    }

    /// Appends the next windows of the same series, later in time: fault runs join across
    /// windows that meet.
    mutating func append(_ later: StateMeasures) {
        addSums(later)
        merge(later.faults) { $0.append($1) }
    }

    /// Adds the later record of a window written in two (see `FaultRunMerge.addRestOfWindow(_:)`).
    mutating func addRestOfWindow(_ rest: StateMeasures) {
        addSums(rest)
        merge(rest.faults) { $0.addRestOfWindow($1) }
    }

    private mutating func addSums(_ other: StateMeasures) {
        if let more = other.transitions { transitions = (transitions ?? 0).addingSaturated(more) }
        upMillis = upMillis.addingSaturated(other.upMillis)
        plannedMillis = plannedMillis.addingSaturated(other.plannedMillis)
        timesKnown = timesKnown && other.timesKnown
        faultsKnown = faultsKnown && other.faultsKnown
    }

    /// Merges `other` into the fault runs by `combine`; a side without runs leaves the other's.
    private mutating func merge(_ other: FaultRunMerge?, by combine: (inout FaultRunMerge, FaultRunMerge) -> Void) {
        guard let other else { return }
        guard var runs = faults else {
            faults = other
            return
        }
        combine(&runs, other)
        faults = runs
    }
}
