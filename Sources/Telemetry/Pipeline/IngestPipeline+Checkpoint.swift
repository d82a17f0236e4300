extension IngestPipeline {
    /// Everything the pipeline remembers between messages (totals, per-device sequence windows,
    /// the redelivery window, every open window and its context) as checkpoint bytes.
    /// O(open windows + devices + redelivery window).
    public func checkpointState() -> [UInt8] {
        var writer = CheckpointWriter()
        writeCheckpointState(to: &writer)
        return writer.bytes
    }

    /// Appends what `checkpointState()` returns to `writer`.
    public func writeCheckpointState(to writer: inout CheckpointWriter) {
        writer.write(latestReceivedMillis)
        stats.encode(to: &writer)
        writer.write(sequences.count)
        for window in sequences { window.encode(to: &writer) }
        redeliveries.encode(to: &writer)
        aggregator.encode(to: &writer)
    }

    /// Replaces the pipeline's state with bytes from `checkpointState()`; on error the pipeline
    /// is left as it was.
    public func restoreState(_ bytes: [UInt8]) throws(CheckpointError) {
        var reader = CheckpointReader(bytes)
        let latest = try reader.readInt64()
        let restoredStats = try PipelineStats(from: &reader)
        var restoredSequences: [SequenceWindow] = []
        for _ in 0..<(try reader.readCount(minimumItemBytes: 17)) {
            restoredSequences.append(try SequenceWindow(from: &reader))
        }
        let restoredRedeliveries = try RedeliveryWindow(from: &reader, capacity: settings.redeliveryWindow)
        var restoredAggregator = aggregator
        try restoredAggregator.restore(from: &reader)
        guard reader.isAtEnd else { throw .invalid("unexpected bytes after the pipeline state", offset: reader.offset) }
        latestReceivedMillis = latest
        stats = restoredStats
        sequences = restoredSequences
        redeliveries = restoredRedeliveries
        aggregator = restoredAggregator
    }
}
