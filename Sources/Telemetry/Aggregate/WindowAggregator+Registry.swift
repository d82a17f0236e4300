/// Devices, metric ids, state ids and series: registering them and finding them without allocating.
extension WindowAggregator {

    /// The index of `key`'s device (park, site and id with exactly these bytes), registering it
    /// on first sight in a retired device's slot or a new one. O(1) amortised.
    public mutating func deviceIndex(for key: DeviceKey) -> Int {
        if let index = deviceIndexByKey[key] { return index }
        let index: Int
        if let vacant = vacantDevices.popLast() {
            index = Int(vacant)
            devices[index] = DeviceState()
            deviceKeys[index] = key
        } else {
            index = devices.count
            devices.append(DeviceState())
            deviceKeys.append(key)
        }
        deviceIndexByKey[key] = index
        return index
    }

    /// The alias spelled exactly `bytes` (a topic), or `nil` (also when its device was retired).
    func alias(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let alias = aliasByBytes.value(for: bytes), aliasDevices[Int(alias)] >= 0 else { return nil }
        return Int(alias)
    }

    /// The newest event time accepted from `device`; `.min` before its first reading.
    func newestEventMillis(device: Int) -> Int64 {
        devices[device].watermark.maxEventMillis
    }

    /// The device of alias `alias`.
    func device(ofAlias alias: Int) -> Int {
        Int(aliasDevices[alias])
    }

    /// The key of the device of alias `alias` (the bytes of the key its topic names).
    func key(ofAlias alias: Int) -> DeviceKey {
        deviceKeys[Int(aliasDevices[alias])]
    }

    /// Remembers `bytes` (a topic naming `key`) as an alias of `device`, whose key is `key`
    /// (the same bytes). The alias must be new, or one whose device was retired.
    mutating func addAlias(_ bytes: UnsafeRawBufferPointer, device: Int, key: DeviceKey) {
        assert(deviceKeys[device] == key, "an alias names its device's key")
        if let retired = aliasByBytes.value(for: bytes) {
            assert(aliasDevices[Int(retired)] < 0, "only a retired device's alias is named again")
            aliasDevices[Int(retired)] = Int32(device)
            retiredAliases -= 1
            return
        }
        aliasByBytes.insert(bytes, value: Int32(aliasDevices.count))
        aliasDevices.append(Int32(device))
    }

    /// The id of `definition`'s metric name (its bytes), registering the definition on first sight.
    mutating func metricID(for definition: MetricDefinition) -> Int32 {
        if let id = metricIDByName.value(for: definition.name) { return id }
        let id = Int32(metricDescriptors.count)
        metricDescriptors.append(appendDescriptor(definition))
        metricIDByName.insert(definition.name, value: id)
        return id
    }

    /// Adds `definition` to the descriptors, with its fault states interned; returns its id.
    private mutating func appendDescriptor(_ definition: MetricDefinition) -> Int32 {
        descriptors.append(definition)
        faultStateIDs.append(definition.faultStates.map { stateID(for: $0) })
        return Int32(descriptors.count - 1)
    }

    /// The id of the metric named exactly `name` (its bytes), or `nil` when no definition of it
    /// was registered.
    func metricID(named name: String) -> Int32? {
        metricIDByName.value(for: name)
    }

    /// The index of the series of `definition` on device `device`, registering it on first sight.
    public mutating func seriesIndex(device: Int, definition: MetricDefinition) -> Int {
        seriesIndex(device: device, metric: metricID(for: definition)) { definition }
    }

    /// The index of the series of metric `metric` on device `device`, registering it on first
    /// sight as the metric's registered definition says. O(1) amortised; no allocation of its own.
    mutating func seriesIndex(device: Int, metric: Int32) -> Int {
        if let index = seriesMaps.series(metric: metric, in: devices[device].seriesMap) { return Int(index) }
        let descriptor = metricDescriptors[Int(metric)]
        return addSeries(
            SeriesState(
                device: Int32(device), metric: metric, descriptor: descriptor, kind: descriptors[Int(descriptor)].kind))
    }

    /// `seriesIndex(device:metric:)` registering a new series as `definition()` says (evaluated
    /// only then), e.g. a metric outside the catalogue as a unit-less gauge.
    mutating func seriesIndex(device: Int, metric: Int32, definition: () -> MetricDefinition) -> Int {
        if let index = seriesMaps.series(metric: metric, in: devices[device].seriesMap) { return Int(index) }
        return addSeries(device: device, metric: metric, definition: definition())
    }

    /// Appends a series of metric `metric` on `device` with `definition`'s name, kind and unit:
    /// the metric's registered descriptor when they are the same bytes, else a descriptor of its
    /// own (a checkpoint's series whose metric the catalogue now defines differently).
    mutating func addSeries(device: Int, metric: Int32, definition: MetricDefinition) -> Int {
        var descriptor = metricDescriptors[Int(metric)]
        let registered = descriptors[Int(descriptor)]
        if registered.kind != definition.kind || !registered.unit.utf8.elementsEqual(definition.unit.utf8)
            || !registered.name.utf8.elementsEqual(definition.name.utf8)
        {
            descriptor = appendDescriptor(definition)
        }
        return addSeries(SeriesState(device: Int32(device), metric: metric, descriptor: descriptor, kind: definition.kind))
    }

    /// Stores a series in a retired series' slot whose window homes are in the right pool, or
    /// appends it and reserves the home slot of each of its window lists; links it to its
    /// device. O(tiers) amortised.
    mutating func addSeries(_ state: SeriesState) -> Int {
        let index: Int32
        let device = Int(state.device)
        if let vacant = state.kind == .state ? vacantStateSeries.popLast() : vacantNumericSeries.popLast() {
            index = vacant
            series[Int(vacant)] = state
        } else {
            index = Int32(series.count)
            series.append(state)
            for _ in tiers.indices {
                let home =
                    state.kind == .state
                    ? stateWindows.reserve(StateWindow(startMillis: 0)) : numericWindows.reserve(NumericWindow(startMillis: 0))
                lists.append(WindowList(home: home))
            }
        }
        if devices[device].lastSeries >= 0 {
            series[Int(devices[device].lastSeries)].nextOfDevice = index
        } else {
            devices[device].firstSeries = index
        }
        devices[device].lastSeries = index
        seriesMaps.insert(metric: state.metric, series: index, in: &devices[device].seriesMap)
        return Int(index)
    }

    /// Forgets every device, series and window (before restoring a checkpoint); metric and state
    /// names stay interned. Without `keepingCapacity`, their storage is freed too.
    mutating func removeAllDevices(keepingCapacity: Bool = false) {
        devices.removeAll(keepingCapacity: keepingCapacity)
        deviceKeys.removeAll(keepingCapacity: keepingCapacity)
        deviceIndexByKey.removeAll(keepingCapacity: keepingCapacity)
        aliasByBytes = ByteKeyTable(capacity: 64)
        aliasDevices.removeAll(keepingCapacity: keepingCapacity)
        retiredAliases = 0
        vacantDevices.removeAll(keepingCapacity: keepingCapacity)
        vacantNumericSeries.removeAll(keepingCapacity: keepingCapacity)
        vacantStateSeries.removeAll(keepingCapacity: keepingCapacity)
        series.removeAll(keepingCapacity: keepingCapacity)
        seriesMaps.removeAll(keepingCapacity: keepingCapacity)
        lists.removeAll(keepingCapacity: keepingCapacity)
        numericWindows.removeAll(keepingCapacity: keepingCapacity)
        sketches.removeAll(keepingCapacity: keepingCapacity)
        stateWindows.removeAll(keepingCapacity: keepingCapacity)
        stateEntries.removeAll(keepingCapacity: keepingCapacity)
        pending.removeAll(keepingCapacity: keepingCapacity)
        touchedDevices.removeAll(keepingCapacity: keepingCapacity)
        closeSchedule.removeAll(keepingCapacity: keepingCapacity)
    }

    /// The id of the state named exactly `name` (its bytes), interning it on first sight.
    mutating func stateID(for name: String) -> Int32 {
        if let id = stateIDByName.value(for: name) { return id }
        let id = Int32(stateNames.count)
        stateNames.append(name)
        stateIDByName.insert(name, value: id)
        return id
    }

    /// The id of the state named exactly `bytes`, or `nil` when not interned.
    func stateID(bytes: UnsafeRawBufferPointer) -> Int32? {
        stateIDByName.value(for: bytes)
    }

    /// The id of the state named exactly `name` (its bytes), or `nil` when not interned: the
    /// same as `stateID(bytes:)` of its UTF-8 bytes. States are identified by bytes, so a
    /// state's id is its only id. The pipeline uses it for a state it had to unescape.
    func canonicalStateID(for name: String) -> Int32? {
        stateIDByName.value(for: name)
    }

    /// The id by which windows count state `id`: `id` itself, as states are identified by
    /// bytes (two spellings that `String` finds equal are two states).
    func canonicalStateID(_ id: Int32) -> Int32 {
        id
    }

    /// True when a reading of `device` at `timestampMillis` falls before its watermark.
    public func isTooLate(device: Int, timestampMillis: Int64) -> Bool {
        timestampMillis < effectiveWatermark(device: device)
    }

    /// The device's watermark, or `nil` before its first accepted reading.
    public func watermark(device: Int) -> Int64? {
        let value = effectiveWatermark(device: device)
        return value == .min ? nil : value
    }

    /// Advances the device's event time after a message's readings were added.
    public mutating func observe(device: Int, maxEventMillis: Int64, receivedAtMillis: Int64) {
        catchUp(device: device)
        touch(device: device)
        devices[device].observedAtTick = carryTick
        devices[device].watermark.observe(
            maxEventMillis: maxEventMillis, receivedAtMillis: receivedAtMillis,
            allowedLatenessMillis: allowedLatenessMillis)
        let watermark = devices[device].watermark.millis
        if watermark >= devices[device].nextCloseMillis && devices[device].closeDueSinceMillis == .min {
            devices[device].closeDueSinceMillis = receivedAtMillis
        }
    }
}
