import Synchronization
import Telemetry

/// The rebirth requests of the pipeline, waiting for the MQTT network thread to publish them as
/// NCMD messages (`MQTTSource+Sparkplug.swift`).
///
/// Why a queue: `SparkplugCommandSink.requestRebirth` is called on the pipeline thread, which must
/// not block, while libmosquitto's handle belongs to the network thread. A request takes the lock
/// for an append (the network thread holds it only to take the whole list), so the pipeline never
/// waits on the network. One request per edge node waits at a time (a repeat is already covered),
/// and at most `maxPending` nodes: while the broker is away the pipeline keeps running, and the
/// queue must not grow without bound; a request beyond is dropped and counted (the pipeline asks
/// again, as the node's messages keep failing).
final class SparkplugCommandQueue: SparkplugCommandSink {
    /// An edge node, as the Edge Node Descriptor names it: group id and edge node id.
    struct EdgeNode: Hashable, Sendable {
        let group: String
        let edgeNode: String
    }

    /// Totals since the start, for the log and tests.
    struct Counts: Sendable, Equatable {
        /// Rebirth requests published on MQTT (an NCMD each).
        var published: UInt64 = 0
        /// Requests dropped because `maxPending` nodes were already waiting.
        var dropped: UInt64 = 0
    }

    /// The most edge nodes whose requests wait at a time.
    static let maxPending = 4_096

    private struct State {
        var pending: [EdgeNode] = []
        var waiting: Set<EdgeNode> = []
        var counts = Counts()
    }

    private let state = Mutex(State())

    /// An empty queue.
    init() {}

    /// Queues a rebirth request for the network thread and returns at once (pipeline thread).
    func requestRebirth(group: String, edgeNode: String) {
        let node = EdgeNode(group: group, edgeNode: edgeNode)
        state.withLock { state in
            guard !state.waiting.contains(node) else { return }
            guard state.pending.count < Self.maxPending else {
                state.counts.dropped += 1
                return
            }
            state.pending.append(node)
            state.waiting.insert(node)
        }
    }

    /// Whether a request waits; the network thread looks before it takes.
    var isEmpty: Bool {
        state.withLock { $0.pending.isEmpty }
    }

    /// Takes every waiting request, oldest first (network thread).
    func takeAll() -> [EdgeNode] {
        state.withLock { state in
            let taken = state.pending
            state.pending.removeAll(keepingCapacity: true)
            state.waiting.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// Puts back requests that could not be published (the connection went away), ahead of any
    /// that came meanwhile (network thread).
    func putBack(_ nodes: [EdgeNode]) {
        state.withLock { state in
            let returned = nodes.filter { !state.waiting.contains($0) }
            let room = max(0, Self.maxPending - state.pending.count)
            state.counts.dropped += UInt64(max(0, returned.count - room))
            let kept = returned.prefix(room)
            state.pending.insert(contentsOf: kept, at: 0)
            state.waiting.formUnion(kept)
        }
    }

    /// Counts one request published (network thread).
    func countPublished() {
        state.withLock { $0.counts.published += 1 }
    }

    /// The totals so far.
    var counts: Counts {
        state.withLock { $0.counts }
    }
}
