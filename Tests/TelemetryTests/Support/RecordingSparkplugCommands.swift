import Synchronization

@testable import Telemetry

/// Records the rebirth requests a pipeline sends, as "group/edge node".
final class RecordingSparkplugCommands: SparkplugCommandSink {
    private let recorded = Mutex<[String]>([])

    var requests: [String] { recorded.withLock { $0 } }

    func requestRebirth(group: String, edgeNode: String) {
        recorded.withLock { $0.append("\(group)/\(edgeNode)") }
    }
}
