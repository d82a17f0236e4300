/// Duplicate and loss detection by a JSON message's `seq`, per device.
extension IngestPipeline {
    /// Records a JSON message's `seq` in its device's `SequenceWindow`, counting the seqs it
    /// skipped or filled in; false for a duplicate.
    func acceptSequence(_ seq: UInt64, device: Int, key: DeviceKey) -> Bool {
        while sequences.count <= device {
            sequences.append(SequenceWindow(capacity: settings.dedupWindow))
        }
        switch sequences[device].record(seq) {
        case .accepted(let missing):
            if missing > 0 {
                let count = Int64(clamping: missing)
                stats.seqMissing = stats.seqMissing.addingSaturated(count)
                stats.seqMissingByDevice[key, default: 0] = stats.seqMissingByDevice[key, default: 0].addingSaturated(count)
            }
            return true
        case .filledGap:
            // Never below zero, even once a saturated count has lost track.
            if let missing = stats.seqMissingByDevice[key], missing > 0 {
                stats.seqMissingByDevice[key] = missing == 1 ? nil : missing - 1
                stats.seqMissing = max(0, stats.seqMissing - 1)
            }
            return true
        case .belowStart:
            return true
        case .restarted:
            stats.seqRestarts += 1
            return true
        case .duplicate:
            return false
        }
    }
}
