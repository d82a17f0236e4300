extension WindowPartial {
    /// Writes the partial for a checkpoint: a kind byte, then the kind's fields (a state's
    /// transitions and fault runs last, format 7).
    func encode(to writer: inout CheckpointWriter) {
        switch self {
        case .numeric(let partial):
            partial.encode(to: &writer)
        case .state(let partial):
            writer.write(true)
            writer.write(partial.count)
            writer.write(partial.stateCounts.count)
            // In byte order of the states, so equal partials give equal bytes.
            for (state, count) in partial.stateCounts.sorted(by: { $0.key < $1.key }) {
                writer.write(state.string)
                writer.write(count)
            }
            writer.write(partial.stateMillis.count)
            for (state, millis) in partial.stateMillis.sorted(by: { $0.key < $1.key }) {
                writer.write(state.string)
                writer.write(millis)
            }
            for timed in [partial.first, partial.last] {
                writer.write(timed) { writer, timed in
                    writer.write(timed.timestampMillis)
                    writer.write(timed.state)
                }
            }
            writer.write(partial.transitions)
            writer.write(partial.faults.longestMillis)
            writer.write(partial.faults.leadingMillis)
            writer.write(partial.faults.latestMillis)
            writer.write(partial.faults.latestEndMillis)
        }
    }

    /// Reads a partial written by `encode(to:)` in checkpoint format `format`; a state window
    /// of a format before 7 has no transitions or fault runs, and is restored with none.
    init(from reader: inout CheckpointReader, format: UInt64) throws(CheckpointError) {
        if try !reader.readBool() {
            var partial = NumericPartial()
            partial.count = try reader.readInt()
            partial.sum = try reader.readDouble()
            partial.min = try reader.readDouble()
            partial.max = try reader.readDouble()
            partial.mean = try reader.readDouble()
            partial.m2 = try reader.readDouble()
            partial.first.value = try reader.readDouble()
            partial.last.value = try reader.readDouble()
            partial.increase = try reader.readDouble()
            partial.first.timestampMillis = try reader.readInt64()
            partial.last.timestampMillis = try reader.readInt64()
            partial.resets = try reader.readInt()
            self = .numeric(partial)
            return
        }
        var partial = StatePartial()
        partial.count = try reader.readInt()
        for _ in 0..<(try reader.readCount(minimumItemBytes: 16)) {
            let state = try reader.readString()
            partial.stateCounts[Name(state)] = try reader.readInt()
        }
        for _ in 0..<(try reader.readCount(minimumItemBytes: 16)) {
            let state = try reader.readString()
            partial.stateMillis[Name(state)] = try reader.readInt64()
        }
        func timed(_ reader: inout CheckpointReader) throws(CheckpointError) -> StatePartial.TimedState {
            let timestamp = try reader.readInt64()
            return StatePartial.TimedState(timestampMillis: timestamp, state: try reader.readString())
        }
        partial.first = try reader.readOptional(timed)
        partial.last = try reader.readOptional(timed)
        if format >= CheckpointFile.stateMeasuresVersion {
            let offset = reader.offset
            partial.transitions = try reader.readInt()
            partial.faults.longestMillis = try reader.readInt64()
            partial.faults.leadingMillis = try reader.readInt64()
            partial.faults.latestMillis = try reader.readInt64()
            partial.faults.latestEndMillis = try reader.readInt64()
            guard partial.transitions >= 0, partial.faults.isConsistent else {
                throw .invalid("a state window's transitions or fault runs out of range", offset: offset)
            }
        }
        self = .state(partial)
    }
}

extension NumericPartial {
    /// Writes the partial as `WindowPartial.numeric(self).encode(to:)` does, without the enum.
    @inline(__always)
    func encode(to writer: inout CheckpointWriter) {
        writer.write(false)
        writer.write(count)
        writer.write(sum)
        writer.write(min)
        writer.write(max)
        writer.write(mean)
        writer.write(m2)
        writer.write(first.value)
        writer.write(last.value)
        writer.write(increase)
        writer.write(first.timestampMillis)
        writer.write(last.timestampMillis)
        writer.write(resets)
    }
}
