import Telemetry

/// What every rollup must satisfy on its own, whatever the messages were: a configured tier,
/// a window aligned to it, the expected `complete` flag, a partial of its metric's kind whose
/// figures are consistent (counts add up, every number finite, timestamps inside the window,
/// state time at most the window's length and no state listed with 0 ms, a state at the stop
/// only in an incomplete window that holds the stop and credited that state; transitions at
/// most the readings, up time within planned time within the window, fault runs within the
/// window and the longest one) and a log line with no `null` where a number belongs
/// (`JSONLineBuilder` writes a non-finite number as `null`; only a state window without
/// readings has `null` `first` and `last`, and one without planned time `null` availability).
enum RollupCheck {
    /// Traps unless `rollup` satisfies the type's rules.
    static func check(_ rollup: RollupWindow, complete: Bool, tiers: [Tier]) {
        // Built only for a message: interpolating the series reflects over it, which is slow.
        let name = { "\(rollup.tier.name) rollup at \(rollup.startMillis) of \(rollup.series)" }
        Invariant.require(tiers.contains(rollup.tier), "\(name()): tier not configured")
        let length = rollup.tier.lengthMillis
        Invariant.require(
            rollup.tier.windowStart(containing: rollup.startMillis) == rollup.startMillis, "\(name()): start not aligned")
        Invariant.require(rollup.complete == complete, "\(name()): complete is \(rollup.complete), expected \(complete)")
        let (end, overflow) = rollup.startMillis.addingReportingOverflow(length)
        Invariant.require(!overflow, "\(name()): the window's end overflows")
        let window = rollup.startMillis..<end
        switch (rollup.kind, rollup.partial) {
        case (.gauge, .numeric(let numeric)), (.counter, .numeric(let numeric)):
            Invariant.require(numeric.count >= 1, "\(name()): numeric window with \(numeric.count) readings")
            func finite(_ field: StaticString, _ value: Double) {
                Invariant.require(value.isFinite, "\(name()): \(field) is \(value) (written as null)")
            }
            finite("sum", numeric.sum)
            finite("min", numeric.min)
            finite("max", numeric.max)
            finite("mean", numeric.mean)
            finite("m2", numeric.m2)
            finite("first.v", numeric.first.value)
            finite("last.v", numeric.last.value)
            finite("increase", numeric.increase)
            Invariant.require(
                numeric.min <= numeric.max && numeric.m2 >= 0,
                "\(name()): min \(numeric.min), max \(numeric.max), m2 \(numeric.m2)")
            Invariant.require(
                window.contains(numeric.first.timestampMillis) && window.contains(numeric.last.timestampMillis)
                    && numeric.first.timestampMillis <= numeric.last.timestampMillis,
                "\(name()): first at \(numeric.first.timestampMillis), last at \(numeric.last.timestampMillis)")
            Invariant.require(numeric.resets >= 0 && numeric.resets <= numeric.count, "\(name()): \(numeric.resets) resets")
        case (.state, .state(let state)):
            Invariant.require(
                state.count == state.stateCounts.values.reduce(0, +) && state.stateCounts.values.allSatisfy { $0 > 0 },
                "\(name()): count \(state.count), state counts \(state.stateCounts)")
            Invariant.require(
                state.stateMillis.values.allSatisfy { $0 > 0 } && state.stateMillis.values.reduce(0, +) <= length,
                "\(name()): state time \(state.stateMillis) in a window of \(length) ms")
            Invariant.require(
                state.transitions >= 0 && state.transitions <= state.count,
                "\(name()): \(state.transitions) transitions in \(state.count) readings")
            Invariant.require(
                state.upMillis >= 0 && state.upMillis <= state.plannedMillis
                    && state.plannedMillis <= state.stateMillis.values.reduce(0, +),
                "\(name()): up \(state.upMillis) ms, planned \(state.plannedMillis) ms, state time \(state.stateMillis)")
            let faults = state.faults
            let trailing = faults.trailingMillis(windowEndMillis: end)
            Invariant.require(
                faults.longestMillis >= 0 && faults.longestMillis <= length && faults.leadingMillis <= faults.longestMillis
                    && trailing <= faults.longestMillis && faults.leadingMillis >= 0 && trailing >= 0,
                "\(name()): fault runs \(faults) in a window of \(length) ms")
            if let atStop = state.inForceAtStop {
                Invariant.require(
                    !rollup.complete && atStop.timestampMillis > rollup.startMillis && atStop.timestampMillis <= end
                        && state.stateMillis[Name(atStop.state)] != nil,
                    "\(name()): state at stop \(atStop) in a window credited \(state.stateMillis)")
            }
            Invariant.require(
                (state.first == nil) == (state.count == 0) && (state.last == nil) == (state.count == 0),
                "\(name()): \(state.count) readings, first \(String(describing: state.first)), last \(String(describing: state.last))"
            )
            if let first = state.first, let last = state.last {
                Invariant.require(
                    window.contains(first.timestampMillis) && window.contains(last.timestampMillis)
                        && first.timestampMillis <= last.timestampMillis,
                    "\(name()): first at \(first.timestampMillis), last at \(last.timestampMillis)")
                Invariant.require(
                    state.stateCounts[Name(first.state)] != nil && state.stateCounts[Name(last.state)] != nil,
                    "\(name()): first or last state not counted")
            }
        default:
            Invariant.fail("\(name()): a \(rollup.kind) with partial \(rollup.partial)")
        }
        checkLine(rollup, name: name)
    }

    /// The rollup's log line has `null` only as the `first` and `last` of a state window
    /// without readings, and as the `availability` of one without planned time.
    static func checkLine(_ rollup: RollupWindow, name: () -> String) {
        var line = JSONLineBuilder()
        rollup.write(to: &line)
        let bytes = line.bytes
        let nullAllowed = rollup.partial.count == 0 && rollup.kind == .state
        var availabilityNullAllowed = false
        if case .state(let state) = rollup.partial { availabilityNullAllowed = state.plannedMillis == 0 }
        var index = 0
        var lastString = 0..<0
        var key = 0..<0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let start = index + 1
                index = start
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                lastString = start..<min(index, bytes.count)
            case UInt8(ascii: ":"):
                key = lastString
            case UInt8(ascii: "n"):
                let field = String(decoding: bytes[key], as: UTF8.self)
                Invariant.require(
                    (nullAllowed && (field == "first" || field == "last"))
                        || (availabilityNullAllowed && field == "availability"),
                    "\(name()): \(field) is null in the line \(String(decoding: bytes, as: UTF8.self))")
            default:
                break
            }
            index += 1
        }
    }
}
