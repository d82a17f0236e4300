import Telemetry

/// The fault runs of the windows in a merge: the longest continuous fault time, and the runs at
/// the two ends that may join a neighbouring window's. Records give each window's longest,
/// leading and trailing run; two windows of one series join exactly when the second starts
/// where the first ends, so a merge keeps the span its windows cover while they are one series'.
///
/// Three merges, because only the caller knows how two merges relate (`BucketScan` does):
/// ``append(_:)`` the next window of the same series, ``addRestOfWindow(_:)`` the later record
/// of one window written in two, ``add(_:)`` another series of a group.
struct FaultRunMerge: Sendable, Equatable {
    /// The longest continuous fault time.
    private(set) var longest: Int64
    /// The fault time from the start of `span`.
    private(set) var leading: Int64
    /// The fault time up to the end of `span`.
    private(set) var trailing: Int64
    /// From the first window's start to the last one's end, gaps included, while the windows
    /// are one series'; nil once other series are merged in, whose runs never join.
    private(set) var span: Range<Int64>?

    /// One window's runs, as its record states them.
    init(window: Range<Int64>, longest: Int64, leading: Int64, trailing: Int64) {
        (self.longest, self.leading, self.trailing, span) = (longest, leading, trailing, window)
    }

    /// Whether `run` covers the whole span: then a run joining at the other end runs through it.
    /// A span with a gap is never covered, as no run crosses a gap.
    private func covers(_ run: Int64) -> Bool { span.map { run == $0.upperBound &- $0.lowerBound } ?? false }

    /// Appends the next windows of the same series, starting at or after the span's end. When
    /// they start exactly at its end, the trailing run and their leading run are one run;
    /// after a gap they stay apart (as would windows out of order, which a scan never has).
    mutating func append(_ later: FaultRunMerge) {
        guard let span, let next = later.span else {
            add(later)
            return
        }
        var joined = max(longest, later.longest)
        if next.lowerBound == span.upperBound {
            joined = max(joined, trailing.addingSaturated(later.leading))
            if covers(leading) { leading = leading.addingSaturated(later.leading) }
            trailing = later.covers(later.trailing) ? trailing.addingSaturated(later.trailing) : later.trailing
        } else {
            trailing = later.trailing
        }
        (longest, self.span) = (joined, span.lowerBound..<max(span.upperBound, next.upperBound))
    }

    /// Adds the later record of a window written in two (cut short at a stop, finished after a
    /// restart). The parts' runs cannot be joined exactly, as neither record says where its
    /// readings stop or start: the longest is the larger of the parts', the leading run the
    /// first part's and the trailing run the second's, so a run across the restart counts as
    /// its longer part.
    mutating func addRestOfWindow(_ rest: FaultRunMerge) {
        (longest, trailing) = (max(longest, rest.longest), rest.trailing)
    }

    /// Adds another series' runs: the longest is the larger, and no run joins any more.
    mutating func add(_ other: FaultRunMerge) {
        (longest, leading, trailing, span) = (max(longest, other.longest), 0, 0, nil)
    }
}
