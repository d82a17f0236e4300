extension FixedWidthInteger {
    /// `self + other`, held at `.max` or `.min` instead of trapping: for totals of counts that
    /// came from devices (a sequence number can jump by 2⁶⁴ − 2), which must never stop ingest.
    @inlinable
    public func addingSaturated(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, held at `.max` or `.min` instead of trapping: for differences of times
    /// that came from devices.
    @inlinable
    public func subtractingSaturated(_ other: Self) -> Self {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other > 0 ? .min : .max
    }
}
