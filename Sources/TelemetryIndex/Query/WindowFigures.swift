import GRDBSQLite

/// What a query merges per window and per bucket: `PartialNumbers` when it asks only for plain
/// numbers (no references, so the merge loop copies bytes), `PartialMerge` when it also asks
/// for first, last or state time.
protocol WindowFigures: Sendable {
    init()
    /// The figures of the `partial` row `statement` is on.
    init(row statement: OpaquePointer, columns: PartialRow.Columns)
    /// Adds another series' figures (see `PartialMerge` for the three merges).
    mutating func add(_ other: Self)
    /// Appends the next windows of the same series, later in time.
    mutating func append(_ later: Self)
    /// Adds the later record of a window written in two.
    mutating func addRestOfWindow(_ rest: Self)
    var complete: Bool { get set }
    /// The figures as a query result's point holds them.
    var merge: PartialMerge { get }
}

extension PartialNumbers: WindowFigures {
    init(row statement: OpaquePointer, columns: PartialRow.Columns) {
        self = PartialRow.numbers(statement, columns: columns)
    }

    var merge: PartialMerge { PartialMerge(numbers: self) }
}

extension PartialMerge: WindowFigures {
    init(row statement: OpaquePointer, columns: PartialRow.Columns) {
        self = PartialRow.merge(statement, columns: columns)
    }

    var merge: PartialMerge { self }
}
