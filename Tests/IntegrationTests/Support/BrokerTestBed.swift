import Foundation

/// What most end-to-end tests start from: a scratch directory and a Mosquitto broker on a free
/// loopback port keeping its files there. The broker is stopped and the directory removed when
/// the test bed is released.
final class BrokerTestBed {
    let directory: URL
    let broker: MosquittoBroker

    /// A scratch directory named after `label`, and a broker in it with `brokerConfig` lines
    /// added to its configuration.
    init(_ label: String, brokerConfig: [String] = []) throws {
        directory = try TestPaths.makeScratchDirectory(label)
        do {
            broker = try MosquittoBroker(directory: directory, extraConfig: brokerConfig)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}
