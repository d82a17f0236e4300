extension WindowAggregator {
    /// Writes every device's clock and every series' open windows and context, so that a
    /// restarted gateway continues exactly where the checkpoint was taken. O(open windows).
    func encode(to writer: inout CheckpointWriter) {
        writer.write(tiers.count)
        for tier in tiers { writer.write(tier.lengthMillis) }
        writer.write(devices.count)
        for device in devices {
            writer.write(device.key.park)
            writer.write(device.key.site)
            writer.write(device.key.device)
            writer.write(device.maxEventMillis)
            writer.write(device.watermarkMillis)
            writer.write(device.lastReceivedMillis)
            writer.write(device.nextCloseMillis)
        }
        writer.write(series.count)
        for state in series {
            writer.write(state.device)
            writer.write(state.key.metric)
            writer.write(state.kind.rawValue)
            writer.write(state.unit)
            for windows in state.windows {
                writer.write(windows.count)
                for window in windows {
                    writer.write(window.startMillis)
                    window.partial.encode(to: &writer)
                }
            }
            writer.write(state.previousCounterValue) { $0.write($1) }
            writer.write(state.currentState) { $0.write($1) }
            writer.write(state.stateSinceMillis)
            writer.write(state.creditedThroughMillis)
        }
    }

    /// Replaces all state with what `encode(to:)` wrote. Tiers may differ from the checkpoint's
    /// only when it holds no open window (as after a clean shutdown).
    mutating func restore(from reader: inout CheckpointReader) throws(CheckpointError) {
        let tierCount = try reader.readCount(minimumItemBytes: 8)
        var lengths: [Int64] = []
        for _ in 0..<tierCount { lengths.append(try reader.readInt64()) }
        let tiersChanged = lengths != tiers.map(\.lengthMillis)
        var devices: [DeviceState] = []
        var deviceIndexByKey: [DeviceKey: Int] = [:]
        for index in 0..<(try reader.readCount(minimumItemBytes: 56)) {
            let park = try reader.readString()
            let site = try reader.readString()
            var device = DeviceState(key: DeviceKey(park: park, site: site, device: try reader.readString()))
            device.maxEventMillis = try reader.readInt64()
            device.watermarkMillis = try reader.readInt64()
            device.lastReceivedMillis = try reader.readInt64()
            device.nextCloseMillis = try reader.readInt64()
            deviceIndexByKey[device.key] = index
            devices.append(device)
        }
        var series: [SeriesState] = []
        for index in 0..<(try reader.readCount(minimumItemBytes: 40)) {
            let device = try reader.readInt()
            guard devices.indices.contains(device) else { throw .invalid("series of unknown device \(device)", offset: reader.offset) }
            let metric = try reader.readString()
            let kindName = try reader.readString()
            guard let kind = MetricKind(rawValue: kindName) else { throw .invalid("unknown kind \(kindName)", offset: reader.offset) }
            let definition = MetricDefinition(name: metric, kind: kind, unit: try reader.readString())
            var state = SeriesState(key: SeriesKey(device: devices[device].key, metric: metric), device: device,
                                    definition: definition, tierCount: tiers.count)
            for tier in 0..<tierCount {
                for _ in 0..<(try reader.readCount(minimumItemBytes: 9)) {
                    let start = try reader.readInt64()
                    let partial = try WindowPartial(from: &reader)
                    guard !tiersChanged else {
                        throw .invalid("""
                            open windows of tiers \(lengths) ms, but the configured tiers are \(tiers.map(\.lengthMillis)) ms: \
                            start once with the old tiers and stop cleanly before changing them
                            """, offset: reader.offset)
                    }
                    state.windows[tier].append(OpenWindow(startMillis: start, partial: partial))
                }
            }
            state.previousCounterValue = try reader.readOptional { (reader: inout CheckpointReader) throws(CheckpointError) in try reader.readDouble() }
            state.currentState = try reader.readOptional { (reader: inout CheckpointReader) throws(CheckpointError) in try reader.readString() }
            state.stateSinceMillis = try reader.readInt64()
            state.creditedThroughMillis = try reader.readInt64()
            devices[device].series.append(index)
            devices[device].seriesByMetric[metric] = index
            series.append(state)
        }
        self.devices = devices
        self.deviceIndexByKey = deviceIndexByKey
        self.series = series
    }
}
