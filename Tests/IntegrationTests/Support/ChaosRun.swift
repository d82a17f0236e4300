import Foundation

/// How long a chaos run is: the test's short defaults, or what `scripts/chaos` asks for through
/// the environment (`CHAOS_KILLS`, `CHAOS_MESSAGES`, `CHAOS_RATE`, `CHAOS_SEED`), so that the
/// long runs and the test are one harness with one ledger check.
struct ChaosRun {
    var kills: Int
    var messages: Int
    /// Messages per second, all simulators together.
    var rate: Int
    var seed: Int

    /// `defaults`, with any value the environment sets instead.
    static func fromEnvironment(defaults: ChaosRun) throws -> ChaosRun {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = environment[name] else { return fallback }
            guard let number = Int(text), number > 0 else {
                throw TestFailure("\(name) must be a whole number above 0, got \"\(text)\"")
            }
            return number
        }
        return ChaosRun(
            kills: try value("CHAOS_KILLS", defaults.kills), messages: try value("CHAOS_MESSAGES", defaults.messages),
            rate: try value("CHAOS_RATE", defaults.rate), seed: try value("CHAOS_SEED", defaults.seed))
    }

    /// The fewest kills a run must reach for its verdict to mean anything.
    var minimumKills: Int { min(kills, 4) }

    /// Readings the rollups lost and counted twice, key by key (a window, or a series), against
    /// what the ledger expects.
    static func lostAndExtra(expected: [String: Int], counted: [String: Int]) -> (lost: Int, extra: Int) {
        let lost = expected.reduce(0) { $0 + max(0, $1.value - counted[$1.key, default: 0]) }
        let extra = counted.reduce(0) { $0 + max(0, $1.value - expected[$1.key, default: 0]) }
        return (lost, extra)
    }
}
