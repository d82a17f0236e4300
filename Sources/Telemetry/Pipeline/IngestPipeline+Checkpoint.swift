extension IngestPipeline {
    /// Everything the pipeline remembers between messages (totals, per-device sequence windows,
    /// the redelivery window, every open window and its context) as checkpoint bytes.
    /// O(open windows + devices + redelivery window).
    public func checkpointState() -> [UInt8] {
        var writer = CheckpointWriter()
        writeCheckpointState(to: &writer)
        return writer.bytes
    }

    /// Appends what `checkpointState()` returns to `writer`: the live devices only, renumbered
    /// as `WindowAggregator.encode(to:)` says.
    public func writeCheckpointState(to writer: inout CheckpointWriter) {
        let kept = sequences.indices.filter { aggregator.isLive(device: $0) }
        writer.write(latestReceivedMillis)
        stats.encode(to: &writer)
        writer.write(kept.count)
        for index in kept { sequences[index].encode(to: &writer) }
        redeliveries.encode(to: &writer)
        aggregator.encode(to: &writer)
        // Fields added to checkpoint format 2 after its first release follow here, so that a
        // format-2 state that ends above still restores.
        for index in kept { sequences[index].encodeStart(to: &writer) }
        writer.write(stats.retainedSkipped)
        // Format 4.
        aggregator.encodeEventOrder(to: &writer)
        // Format 5.
        writer.write(stats.devicesRetired)
        writer.write(stats.seriesRetired)
        // Format 6.
        writer.write(aggregator.quantileAccuracy)
        // Format 8.
        sparkplug.encode(to: &writer)
        writer.write(stats.sparkplugRebirthRequests)
        writer.write(stats.sparkplugCommandsSkipped)
        writer.write(stats.sparkplugRestatedValues)
    }

    /// Replaces the pipeline's state with bytes from `checkpointState()`, written in checkpoint
    /// format `format` (`CheckpointFile.version`, or an older one `CheckpointFile` still reads);
    /// on error the pipeline is left as it was.
    public func restoreState(_ bytes: [UInt8], format: UInt64 = CheckpointFile.version) throws(CheckpointError) {
        try restoreState(bytes, format: format, releasingStorage: false)
    }

    /// `restoreState(_:format:)`, rebuilding the aggregator's tables in new storage when
    /// `releasingStorage` (see `WindowAggregator.restore(from:format:releasingStorage:)`).
    func restoreState(_ bytes: [UInt8], format: UInt64, releasingStorage: Bool) throws(CheckpointError) {
        var reader = CheckpointReader(bytes)
        let latest = try reader.readInt64()
        var restoredStats = try PipelineStats(from: &reader, format: format)
        var restoredSequences: [SequenceWindow] = []
        for _ in 0..<(try reader.readCount(minimumItemBytes: 17)) {
            restoredSequences.append(try SequenceWindow(from: &reader))
        }
        let restoredRedeliveries = try RedeliveryWindow(from: &reader, capacity: settings.redeliveryWindow)
        var restoredAggregator = aggregator
        try restoredAggregator.restore(from: &reader, format: format, releasingStorage: releasingStorage)
        // Format 3 always has them; format 2 has them when written after they were added.
        if format >= 3 || !reader.isAtEnd {
            for index in restoredSequences.indices { try restoredSequences[index].decodeStart(from: &reader) }
            restoredStats.retainedSkipped = try reader.readInt()
        }
        if format >= 4 { try restoredAggregator.restoreEventOrder(from: &reader) }
        if format >= 5 {
            restoredStats.devicesRetired = try reader.readInt()
            restoredStats.seriesRetired = try reader.readInt()
        }
        if format >= 6 { try restoredAggregator.checkSketchAccuracy(try reader.readDouble(), offset: reader.offset) }
        var restoredSparkplug = SparkplugSessions()
        if format >= CheckpointFile.sparkplugVersion {
            restoredSparkplug = try SparkplugSessions(from: &reader)
            restoredStats.sparkplugRebirthRequests = try reader.readInt()
            restoredStats.sparkplugCommandsSkipped = try reader.readInt()
            restoredStats.sparkplugRestatedValues = try reader.readInt()
        }
        guard reader.isAtEnd else { throw .invalid("unexpected bytes after the pipeline state", offset: reader.offset) }
        latestReceivedMillis = latest
        stats = restoredStats
        sequences = restoredSequences
        redeliveries = restoredRedeliveries
        aggregator = restoredAggregator
        sparkplug = restoredSparkplug
    }

    /// The totals at the start of a pipeline state from `checkpointState()` (format `format`),
    /// without restoring the rest, which needs a pipeline of the same configuration: for a reader
    /// beside a running gateway (`gateway serve`). All but `retainedSkipped` (0 here), which is
    /// stored after the rest. O(devices listed in the totals).
    public static func stats(inState bytes: [UInt8], format: UInt64) throws(CheckpointError) -> PipelineStats {
        var reader = CheckpointReader(bytes)
        _ = try reader.readInt64()
        return try PipelineStats(from: &reader, format: format)
    }
}
