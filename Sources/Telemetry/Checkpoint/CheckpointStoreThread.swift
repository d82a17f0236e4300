import Atomics
import Foundation

/// A thread that stores one checkpoint at a time — CRC, write, fsync, rename — so the pipeline
/// thread goes on ingesting meanwhile. With 100,000 series a checkpoint is ~24 MB: checksumming,
/// writing and fsyncing it on the pipeline thread stopped ingest for tens of milliseconds each
/// time, several times a second under load.
///
/// Protocol: the owner (the pipeline thread) calls `submit` with the bytes, then `poll` until it
/// returns the outcome (or `wait`), and only then submits again. Ownership of the bytes moves to
/// the thread with `submit` (a semaphore signal) and back with the outcome (a release store the
/// owner's acquire load pairs with); the thread drops its reference before that store, so the
/// owner's buffer is unique again and reusing it copies nothing. Hence `@unchecked Sendable`.
final class CheckpointStoreThread: @unchecked Sendable {
    let path: String
    private let sync: Bool
    private let requests = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let done = ManagedAtomic<Bool>(false)
    private var payload: [UInt8] = []
    private var outcome: Result<Void, CheckpointError> = .success(())
    private var stopping = false

    /// Starts the thread; `sync` as in `CheckpointFile.store`.
    init(path: String, sync: Bool) {
        self.path = path
        self.sync = sync
        let thread = Thread { [self] in self.run() }
        thread.name = "checkpoint"
        thread.start()
    }

    /// Hands `bytes` to the thread to store at `path`. Not while a store is in flight.
    func submit(_ bytes: [UInt8]) {
        payload = bytes
        done.store(false, ordering: .relaxed)
        requests.signal()
    }

    /// The outcome of the submitted store once it is finished, else nil. Never blocks.
    func poll() -> Result<Void, CheckpointError>? {
        guard done.load(ordering: .acquiring) else { return nil }
        finished.wait()
        return outcome
    }

    /// The outcome of the submitted store, waiting for it.
    func wait() -> Result<Void, CheckpointError> {
        finished.wait()
        return outcome
    }

    /// Ends the thread once no store is in flight.
    func stop() {
        stopping = true
        requests.signal()
    }

    private func run() {
        while true {
            requests.wait()
            if stopping { return }
            do {
                try CheckpointFile.store(payload, to: path, sync: sync)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            payload = []
            // Release: the outcome and the dropped reference are visible to an owner whose
            // acquire load in `poll` sees true.
            done.store(true, ordering: .releasing)
            finished.signal()
        }
    }
}
