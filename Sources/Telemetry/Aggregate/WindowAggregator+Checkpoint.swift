extension WindowAggregator {
    /// Writes every device's clock and every series' open windows and context, so that a
    /// restarted gateway continues exactly where the checkpoint was taken. O(devices + series
    /// + open windows). Retired devices' and series' slots are skipped and the others
    /// renumbered in order, so a checkpoint holds the live state only and restores compacted.
    func encode(to writer: inout CheckpointWriter) {
        writer.write(tiers.count)
        for tier in tiers { writer.write(tier.lengthMillis) }
        let renumbered = liveDeviceNumbers()
        writer.write(deviceCount)
        for (index, (key, device)) in zip(deviceKeys, devices).enumerated() where !device.isVacant {
            writer.write(key.park)
            writer.write(key.site)
            writer.write(key.device)
            writer.write(device.watermark.maxEventMillis)
            writer.write(effectiveWatermark(device: index))
            writer.write(device.watermark.lastReceivedMillis)
            writer.write(device.nextCloseMillis)
        }
        writer.write(seriesCount)
        for index in series.indices where series[index].device >= 0 {
            let state = series[index]
            let descriptor = descriptors[Int(state.descriptor)]
            writer.write(renumbered[Int(state.device)])
            writer.write(descriptor.name)
            writer.write(state.kind.rawValue)
            writer.write(descriptor.unit)
            for tier in tiers.indices { encodeWindows(series: index, tier: tier, to: &writer) }
            writer.write(state.hasPreviousCounterValue ? state.previousCounterValue : nil) { $0.write($1) }
            writer.write(state.currentState >= 0 ? stateNames[Int(state.currentState)] : nil) { $0.write($1) }
            writer.write(state.stateSinceMillis)
            writer.write(state.creditedThroughMillis)
        }
    }

    /// Each device slot's number among the live devices, in order (-1 for a vacant slot): its
    /// index in a checkpoint.
    func liveDeviceNumbers() -> [Int] {
        var next = 0
        return devices.map { device in
            guard !device.isVacant else { return -1 }
            defer { next += 1 }
            return next
        }
    }

    /// Writes the open windows of `series`/`tier`, oldest first: their count, then each start
    /// and partial, and a gauge window's quantile bins (format 6, `WindowSketch.encode`).
    /// Numeric windows are written straight from their slots (no partial copied into an enum,
    /// no sketch built): at 100,000 series this loop is most of a checkpoint.
    private func encodeWindows(series index: Int, tier: Int, to writer: inout CheckpointWriter) {
        let list = lists[index * tiers.count + tier]
        let isState = series[index].kind == .state
        var count = 0
        var slot = list.head
        while slot >= 0 {
            count += 1
            slot = isState ? stateWindows[slot].next : numericWindows[slot].next
        }
        writer.write(count)
        slot = list.head
        while slot >= 0 {
            if isState {
                writer.write(stateWindows[slot].startMillis)
                WindowPartial.state(statePartial(of: slot)).encode(to: &writer)
                slot = stateWindows[slot].next
            } else {
                writer.write(numericWindows[slot].startMillis)
                numericWindows[slot].partial.encode(to: &writer)
                if series[index].kind == .gauge {
                    sketches[Int(slot)].encode(to: &writer)
                }
                slot = numericWindows[slot].next
            }
        }
    }

    /// Replaces all devices, series and windows with what `encode(to:)` wrote (metric and
    /// state names stay interned) in checkpoint format `format`. Tiers may differ from the
    /// checkpoint's only when it holds no open window (as after a clean shutdown), and so may
    /// the format: before format 6 every reading went to every tier's window, so a coarser
    /// window already held its open finer windows' readings, which merging them would count
    /// twice. With `releasingStorage`, the tables are rebuilt in new storage sized to what is
    /// restored, so memory shrinks after a peak.
    mutating func restore(
        from reader: inout CheckpointReader, format: UInt64 = CheckpointFile.version, releasingStorage: Bool = false
    ) throws(CheckpointError) {
        let tierCount = try reader.readCount(minimumItemBytes: 8)
        var lengths: [Int64] = []
        for _ in 0..<tierCount { lengths.append(try reader.readInt64()) }
        let tiersChanged = lengths != tiers.map(\.lengthMillis)
        removeAllDevices(keepingCapacity: !releasingStorage)
        for index in 0..<(try reader.readCount(minimumItemBytes: 56)) {
            let park = try reader.readString()
            let site = try reader.readString()
            let key = DeviceKey(park: park, site: site, device: try reader.readString())
            var device = DeviceState()
            device.watermark.maxEventMillis = try reader.readInt64()
            device.watermark.millis = try reader.readInt64()
            device.watermark.lastReceivedMillis = try reader.readInt64()
            device.nextCloseMillis = try reader.readInt64()
            // The watermark was written carried forward: no clock given before the restore applies to it.
            device.observedAtTick = carryTick
            deviceIndexByKey[key] = index
            deviceKeys.append(key)
            devices.append(device)
            touch(device: index)
        }
        for _ in 0..<(try reader.readCount(minimumItemBytes: 40)) {
            let device = try reader.readInt()
            guard devices.indices.contains(device) else {
                throw .invalid("series of unknown device \(device)", offset: reader.offset)
            }
            let metric = try reader.readString()
            let kindName = try reader.readString()
            guard let kind = MetricKind(rawValue: kindName) else {
                throw .invalid("unknown kind \(kindName)", offset: reader.offset)
            }
            let definition = MetricDefinition(name: metric, kind: kind, unit: try reader.readString())
            let index = addSeries(device: device, metric: metricID(for: definition), definition: definition)
            for tier in 0..<tierCount {
                for _ in 0..<(try reader.readCount(minimumItemBytes: 9)) {
                    let start = try reader.readInt64()
                    guard format >= CheckpointFile.tiersFromTiersVersion else {
                        throw .invalid(
                            """
                            open windows written by a gateway older than checkpoint format \(CheckpointFile.tiersFromTiersVersion), \
                            which built every tier from the readings: start that version once and stop it cleanly before upgrading
                            """, offset: reader.offset)
                    }
                    guard !tiersChanged else {
                        throw .invalid(
                            """
                            open windows of tiers \(lengths) ms, but the configured tiers are \(tiers.map(\.lengthMillis)) ms: \
                            start once with the old tiers and stop cleanly before changing them
                            """, offset: reader.offset)
                    }
                    let partial = try WindowPartial(from: &reader, format: format)
                    let sketch = kind == .gauge ? try readSketch(from: &reader, partial: partial, format: format) : nil
                    guard appendWindow(series: index, tier: tier, startMillis: start, partial: partial, sketch: sketch) else {
                        throw .invalid("a \(kind.rawValue) series with a window of another kind", offset: reader.offset)
                    }
                }
            }
            let previous = try reader.readOptional { (reader: inout CheckpointReader) throws(CheckpointError) in
                try reader.readDouble()
            }
            series[index].hasPreviousCounterValue = previous != nil
            series[index].previousCounterValue = previous ?? 0
            let current = try reader.readOptional { (reader: inout CheckpointReader) throws(CheckpointError) in
                try reader.readString()
            }
            series[index].currentState = current.map { stateID(for: $0) } ?? -1
            series[index].stateSinceMillis = try reader.readInt64()
            series[index].creditedThroughMillis = try reader.readInt64()
        }
    }
}

extension WindowAggregator {
    /// Reads a gauge window's bins written after its `partial` by `encodeWindows`: their keys
    /// must lie in the configured mapping's range and their counts add up to the window's
    /// readings (the α itself is checked once, by `checkSketchAccuracy`).
    private func readSketch(
        from reader: inout CheckpointReader, partial: WindowPartial, format: UInt64
    ) throws(CheckpointError) -> WindowSketch {
        let offset = reader.offset
        let sketch = try WindowSketch(
            from: &reader, keys: sketchMapping.keyRange, limit: Self.sketchBinLimit, format: format)
        guard sketch.count == UInt64(max(0, partial.count)) else {
            throw .invalid("a quantile sketch of \(sketch.count) readings in a window of \(partial.count)", offset: offset)
        }
        return sketch
    }
}

extension WindowAggregator {
    /// Refuses open gauge windows whose sketches were built with relative accuracy `accuracy`
    /// (checkpoint format 6, read after the windows) when it is not this aggregator's: their
    /// bins are other intervals and cannot take this one's readings. O(series) at a restore.
    func checkSketchAccuracy(_ accuracy: Double, offset: Int) throws(CheckpointError) {
        guard accuracy != quantileAccuracy else { return }
        let hasOpenGaugeWindow = series.indices.contains { index in
            series[index].kind == .gauge && series[index].device >= 0
                && tiers.indices.contains { !lists[index * tiers.count + $0].isEmpty }
        }
        guard hasOpenGaugeWindow else { return }
        throw .invalid(
            """
            open windows' quantile sketches of relative accuracy \(accuracy), but the configured one \
            is \(quantileAccuracy): start once with the old accuracy and stop cleanly before changing it
            """, offset: offset)
    }

    /// Writes what puts counters and states in event order (checkpoint format 4, after the
    /// rest of the pipeline state): for each counter or state series, in series order, a
    /// counter's previous reading's time, then the pending readings (count, then each time and
    /// the value or the state's name), in event order. O(counter and state series + pending).
    /// Retired series' slots are skipped, as in `encode(to:)`.
    func encodeEventOrder(to writer: inout CheckpointWriter) {
        for index in series.indices where series[index].kind != .gauge && series[index].device >= 0 {
            let isCounter = series[index].kind == .counter
            if isCounter { writer.write(series[index].previousCounterMillis) }
            var count = 0
            var cursor = series[index].pendingHead
            while cursor >= 0 {
                count += 1
                cursor = pending[cursor].next
            }
            writer.write(count)
            cursor = series[index].pendingHead
            while cursor >= 0 {
                let reading = pending[cursor]
                writer.write(reading.timestampMillis)
                if isCounter { writer.write(reading.value) } else { writer.write(stateNames[Int(reading.state)]) }
                cursor = reading.next
            }
        }
    }

    /// Reads what `encodeEventOrder(to:)` wrote, after `restore(from:)` restored the series. A
    /// checkpoint of an older format has none: its readings were applied in arrival order, and
    /// the next ones follow the restored previous value and state.
    mutating func restoreEventOrder(from reader: inout CheckpointReader) throws(CheckpointError) {
        for index in series.indices where series[index].kind != .gauge {
            let isCounter = series[index].kind == .counter
            if isCounter { series[index].previousCounterMillis = try reader.readInt64() }
            var latest = Int64.min
            for _ in 0..<(try reader.readCount(minimumItemBytes: 16)) {
                let timestamp = try reader.readInt64()
                guard timestamp >= latest else {
                    throw .invalid("pending readings out of event order", offset: reader.offset)
                }
                latest = timestamp
                let reading =
                    isCounter
                    ? PendingReading(timestampMillis: timestamp, value: try reader.readDouble(), state: -1)
                    : PendingReading(timestampMillis: timestamp, value: 0, state: stateID(for: try reader.readString()))
                enqueue(reading, series: index)
            }
        }
    }
}
