/// What `/api/v1/devices` must say about each device the simulator published for.
extension SimulatorLedger {
    /// One device's figures.
    struct DeviceFigures: Equatable {
        /// Quarantine entries of its topic: one per message-level fault, one per faulty reading.
        var quarantined = 0
        /// Sequence numbers between its first and its highest that it never sent.
        var seqMissing = 0
        /// Accepted readings.
        var readings = 0
    }

    /// By "park/site/device".
    var devices: [String: DeviceFigures] {
        var devices: [String: DeviceFigures] = [:]
        for entry in quarantine {
            let topic = entry.split(separator: "|", omittingEmptySubsequences: false)[1]
            devices[Self.device(ofTopic: String(topic)), default: DeviceFigures()].quarantined += 1
        }
        for (topic, seqs) in seqsByTopic {
            guard let first = seqs.first, let highest = seqs.max() else { continue }
            devices[Self.device(ofTopic: topic), default: DeviceFigures()].seqMissing =
                Int(highest - first + 1) - Set(seqs).count
        }
        for (series, count) in seriesReadings {
            devices[series.split(separator: "|").prefix(3).joined(separator: "/"), default: DeviceFigures()].readings += count
        }
        return devices
    }

    /// "park/site/device" of a topic `prefix/park/site/device/telemetry`.
    private static func device(ofTopic topic: String) -> String {
        topic.split(separator: "/").dropFirst().prefix(3).joined(separator: "/")
    }
}
