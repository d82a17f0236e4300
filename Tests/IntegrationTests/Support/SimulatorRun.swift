import Foundation

/// The simulator publishing to a test's broker, with the ledger of everything it sent: the
/// figures every end-to-end test checks the gateway's against.
final class SimulatorRun {
    let process: ChildProcess
    let ledgerURL: URL

    /// Starts `sensors-sim` against the broker on 127.0.0.1:`port` with `arguments` (seed,
    /// devices, rate, count, shapes, faults); its ledger and log go to `directory`, named
    /// after `name`.
    init(directory: URL, port: Int, name: String = "sim", _ arguments: [String]) throws {
        let ledgerName = name == "sim" ? "ledger" : "ledger-\(name)"
        ledgerURL = directory.appendingPathComponent("\(ledgerName).jsonl")
        process = try ChildProcess(
            try TestPaths.binary("sensors-sim"), ["--port", "\(port)", "--ledger", ledgerURL.path] + arguments,
            logURL: directory.appendingPathComponent("\(name).log"))
    }

    var output: String { process.output }

    /// True until the simulator has exited.
    var isRunning: Bool { process.process.isRunning }

    /// Waits for the simulator to finish and returns its exit status.
    func waitForExit(timeout: Double) throws -> Int32 {
        try process.waitForExit(timeout: timeout)
    }

    /// What it published, read from its ledger (after it exited).
    func ledger() throws -> SimulatorLedger {
        try SimulatorLedger(url: ledgerURL)
    }
}
