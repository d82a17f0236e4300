// Tiers built from tiers.
//
// A reading, a counter's difference and a state's credited time go to the window of the
// finest tier only. A window of a coarser tier is the merge of the windows of the tier below it
// that it contains: each finer window is merged into it as it is taken out to be written
// (`takeOldest`), whether it closed (its end passed the watermark) or was written cut short (a
// stop, a retirement). Merging is exact for every field (`NumericPartial.merge`, state counts
// and milliseconds added, first and last by event time, fault runs joined at common edges), so a coarser window holds what adding
// each reading to it would have given, up to the rounding of sums of sums.
//
// Why it holds: tiers nest (each a whole multiple of the one below, all aligned to the epoch),
// so a coarser window ends at the end of its last finer window. When the watermark passes that
// end, `closeDue` takes the finer windows out first (tiers ascending), so the coarser window has
// all of them before it is itself taken out in the same pass. No finer window opens behind the
// watermark (too-late readings are rejected), so no merge ever lands in a coarser window that
// was already written. A checkpoint holds each tier's open windows as they are: a coarser one
// with the finer windows merged so far, which the restored finer windows complete.
//
// Cost: O(1) per reading for any number of tiers, and one merge per finer window written.

extension WindowAggregator {
    /// The list of tier `tier + 1` of `series`; nil when `tier` is the coarsest.
    ///
    /// A window opened in it for a merge neither moves the device's next close nor touches the
    /// device (as `openNumericWindow` does): merges happen while a device's windows are being
    /// taken out, and the caller (`closeDue`, `flush`) sets the next close itself afterwards.
    private func coarserList(series index: Int, tier: Int) -> Int? {
        let coarser = tier + 1
        guard coarser < tiers.count else { return nil }
        return index * tiers.count + coarser
    }

    /// Merges numeric window `slot` (of `series`/`tier`, being taken out) into the window of the
    /// next coarser tier that contains it, a gauge's sketch included.
    mutating func mergeIntoCoarser(numeric slot: Int32, series index: Int, tier: Int) {
        guard let list = coarserList(series: index, tier: tier) else { return }
        let start = tiers[tier + 1].windowStart(containing: numericWindows[slot].startMillis)
        let (coarse, inserted) = lists[list].window(startingAt: start, in: &numericWindows)
        if inserted { resetSketch(coarse) }
        let finer = numericWindows[slot].partial
        numericWindows[coarse].partial.merge(finer)
        if series[index].kind == .gauge {
            // The coarser sketch is moved out while the finer one is read in place: no copy of
            // the finer one's arrays (and their reference counting) per window written.
            var coarseSketch = WindowSketch()
            swap(&coarseSketch, &sketches[Int(coarse)])
            coarseSketch.merge(sketches[Int(slot)], limit: Self.sketchBinLimit, scratch: &sketchMergeScratch)
            swap(&coarseSketch, &sketches[Int(coarse)])
        }
    }

    /// Merges state window `slot` (of `series`/`tier`, being taken out) into the window of the
    /// next coarser tier that contains it: count, readings and milliseconds per state, first
    /// and last reading.
    mutating func mergeIntoCoarser(state slot: Int32, series index: Int, tier: Int) {
        guard let list = coarserList(series: index, tier: tier) else { return }
        let start = tiers[tier + 1].windowStart(containing: stateWindows[slot].startMillis)
        let (coarse, _) = lists[list].window(startingAt: start, in: &stateWindows)
        let finer = stateWindows[slot]
        var entry = finer.entries
        while entry >= 0 {
            let value = stateEntries[entry]
            let target = stateEntry(value.state, window: coarse)
            stateEntries[target].count += value.count
            stateEntries[target].millis += value.millis
            stateEntries[target].hasTime = stateEntries[target].hasTime || value.hasTime
            entry = value.next
        }
        stateWindows[coarse].count += finer.count
        stateWindows[coarse].transitions += finer.transitions
        stateWindows[coarse].faults.append(
            finer.faults, laterStartMillis: finer.startMillis, windowStartMillis: stateWindows[coarse].startMillis)
        if finer.firstState >= 0,
            stateWindows[coarse].firstState < 0 || finer.firstMillis < stateWindows[coarse].firstMillis
        {
            stateWindows[coarse].firstMillis = finer.firstMillis
            stateWindows[coarse].firstState = finer.firstState
        }
        if finer.lastState >= 0,
            stateWindows[coarse].lastState < 0 || finer.lastMillis >= stateWindows[coarse].lastMillis
        {
            stateWindows[coarse].lastMillis = finer.lastMillis
            stateWindows[coarse].lastState = finer.lastState
        }
    }
}
