/// Validating one reading against the catalogue and its device's clock, and wording the
/// quarantine detail of a rejection.
extension IngestPipeline {
    /// What `check` concluded about one reading.
    enum Verdict {
        /// Valid; `metric` is `nil` for a name outside the catalogue not registered yet.
        case accepted(metric: Int32?, value: Accepted)
        case rejected(Rejection)
    }

    /// Why `check` rejected a reading. The quarantine detail is written from it only then, so
    /// the checks themselves build no strings.
    enum Rejection {
        case unknownMetric
        case repeatedName
        case nameTooLong(StringToken, level: String)
        case beyondMagnitude(Double)
        case outsideRange(Double, MetricRule)
        case stateNotAllowed(StringToken, catalogueIndex: Int)
        case notAState(ScannedValue)
        case notANumber(ScannedValue)
        case future
        case tooLate

        /// The quarantine reason `describe` gives this rejection.
        var reason: QuarantineReason {
            switch self {
            case .unknownMetric: return .unknownMetric
            case .repeatedName: return .duplicateMetric
            case .nameTooLong: return .nameTooLong
            case .beyondMagnitude, .outsideRange, .stateNotAllowed: return .outOfRange
            case .notAState, .notANumber: return .wrongType
            case .future: return .futureTimestamp
            case .tooLate: return .tooLate
            }
        }
    }

    /// Checks one reading against the catalogue and the device's time, in the order of the
    /// quarantine reasons' precedence (metric, type, range, future, late), and resolves its
    /// metric and state to ids where they are known. Registers nothing new: a metric or state
    /// seen for the first time is registered once its series is admitted.
    func check(
        _ reading: ScannedReading, in payload: UnsafeRawBufferPointer, timestamp: Int64, device: Int, receivedMillis: Int64
    ) -> Verdict {
        if reading.isRepeat { return .rejected(.repeatedName) }
        if isTooLong(reading.name, in: payload) { return .rejected(.nameTooLong(reading.name, level: "metric")) }
        let nameBytes = reading.name.bytes(in: payload)
        var catalogueIndex: Int?
        var metric: Int32?
        if !reading.name.hasEscapes, let index = catalogue.index(nameBytes: nameBytes) {
            catalogueIndex = index
        } else if !reading.name.hasEscapes, let id = extraMetricIDs.value(for: nameBytes) {
            metric = id
        } else {
            let name = JSONScanner(payload).string(from: reading.name)
            if let index = catalogue.index(named: name) {
                catalogueIndex = index
            } else if catalogue.strict {
                return .rejected(.unknownMetric)
            } else if let id = aggregator.metricID(named: name) {
                metric = id
                if !reading.name.hasEscapes { extraMetricIDs.insert(nameBytes, value: id) }
            }
        }
        var rule = MetricRule()
        if let catalogueIndex { (metric, rule) = (Int32(catalogueIndex), rules[catalogueIndex]) }

        let accepted: Accepted
        switch (rule.kind, reading.value) {
        case (.gauge, .number(let value)), (.counter, .number(let value)):
            // Also false for NaN; infinity can come from a literal such as 1e999.
            guard abs(value) <= MetricRule.largestMagnitude else { return .rejected(.beyondMagnitude(value)) }
            if rule.hasRange, value < rule.lower || value > rule.upper { return .rejected(.outsideRange(value, rule)) }
            accepted = .number(value)
        case (.state, .string(let token)):
            if isTooLong(token, in: payload) { return .rejected(.nameTooLong(token, level: "state")) }
            // The spelling's id when seen before, and the id all equal spellings share.
            var spelling: Int32?
            var state: Int32?
            if !token.hasEscapes, let id = aggregator.stateID(bytes: token.bytes(in: payload)) {
                (spelling, state) = (id, aggregator.canonicalStateID(id))
            } else {
                state = aggregator.canonicalStateID(for: JSONScanner(payload).string(from: token))
            }
            if let catalogueIndex, rule.stateWordCount > 0, !isAllowed(state, rule) {
                return .rejected(.stateNotAllowed(token, catalogueIndex: catalogueIndex))
            }
            accepted = .state(spelling, token)
        case (.state, let value):
            return .rejected(.notAState(value))
        case (_, let value):
            return .rejected(.notANumber(value))
        }
        if timestamp > receivedMillis + settings.futureToleranceMillis { return .rejected(.future) }
        if aggregator.isTooLate(device: device, timestampMillis: timestamp) { return .rejected(.tooLate) }
        return .accepted(metric: metric, value: accepted)
    }

    /// The quarantine reason and detail of a rejected reading.
    @inline(never)
    func describe(
        _ rejection: Rejection, _ reading: ScannedReading, in payload: UnsafeRawBufferPointer, timestamp: Int64, device: Int,
        receivedMillis: Int64
    ) -> (QuarantineReason, String) {
        let scanner = JSONScanner(payload)
        let name = scanner.string(from: reading.name)
        switch rejection {
        case .unknownMetric:
            return (.unknownMetric, "metric \"\(name)\" is not in the catalogue")
        case .repeatedName:
            return (.duplicateMetric, "metric \"\(name)\" appears more than once in one object; the first value is the reading")
        case .nameTooLong(let token, let level):
            return (
                .nameTooLong,
                "\(level) name of \(scanner.string(from: token).utf8.count) bytes exceeds ingest.max_name_bytes (\(settings.maxNameBytes))"
            )
        case .beyondMagnitude(let value) where !value.isFinite:
            return (.outOfRange, "\(name) is not a finite number")
        case .beyondMagnitude(let value):
            return (
                .outOfRange,
                "\(name) = \(Self.format(value)) is beyond ±1e100, the largest magnitude aggregated (a window's sum and variance must stay finite)"
            )
        case .outsideRange(let value, let rule):
            return (
                .outOfRange, "\(name) = \(Self.format(value)) outside [\(Self.format(rule.lower)), \(Self.format(rule.upper))]"
            )
        case .stateNotAllowed(let token, let catalogueIndex):
            let states = catalogue.definitions[catalogueIndex].states.joined(separator: ", ")
            return (.outOfRange, "\(name) = \"\(scanner.string(from: token))\" is not one of \(states)")
        case .notAState(let value):
            return (.wrongType, "\(name): expected a state string, got \(value.decoded(by: scanner).typeName)")
        case .notANumber(let value):
            return (.wrongType, "\(name): expected a number, got \(value.decoded(by: scanner).typeName)")
        case .future:
            return (
                .futureTimestamp,
                "ts \(UTCTimestamp.string(millis: timestamp)) is \((timestamp - receivedMillis) / 1000) s after its receive time (limit \(settings.futureToleranceMillis / 1000) s)"
            )
        case .tooLate:
            let watermark = aggregator.watermark(device: device) ?? timestamp
            return (
                .tooLate,
                "ts \(UTCTimestamp.string(millis: timestamp)) is before the device's watermark \(UTCTimestamp.string(millis: watermark)); its windows are closed"
            )
        }
    }

    /// A reading's value once it passed the type and range checks; a state spelling not
    /// interned yet is still a token (interned once the reading is aggregated).
    enum Accepted {
        case number(Double)
        case state(Int32?, StringToken)
    }

    /// Whether the name in `token` is longer than `settings.maxNameBytes` once unescaped. O(1)
    /// unless its escaped spelling is longer.
    func isTooLong(_ token: StringToken, in payload: UnsafeRawBufferPointer) -> Bool {
        guard token.end - token.start > settings.maxNameBytes else { return false }
        return !token.hasEscapes || JSONScanner(payload).string(from: token).utf8.count > settings.maxNameBytes
    }

    func isAllowed(_ state: Int32?, _ rule: MetricRule) -> Bool {
        guard let state, Int(state) / 64 < rule.stateWordCount else { return false }
        return allowedStateWords[rule.stateWordStart + Int(state) / 64] & (1 << UInt64(state % 64)) != 0
    }
}
