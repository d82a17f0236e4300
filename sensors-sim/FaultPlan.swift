/// Decides which fault, if any, each message carries, so that the requested percentages come out
/// exactly rather than only on average.
///
/// Messages are taken in blocks (a `--count` run is one block of `count` messages; otherwise
/// blocks of 10,000). Each block owes each fault `round(p × block / 100)` messages, adjusted by
/// one where needed so that the faults add up to `round(Σp × block / 100)`. For every
/// message one draw `u` in `[0, messages left in the block)` picks fault `k` when `u` falls in
/// the `k`-th run of owed counts laid end to end, and no fault otherwise: sequential sampling
/// without replacement, so the faulty messages are spread uniformly at random over the block.
/// A fault that cannot apply to its message stays owed (`settle(_:applied:)`), so it lands on a
/// later one. Owed faults left at the end of a block are dropped. O(number of faults) per message.
struct FaultPlan: Sendable {
    /// Block length when the run's message count is not known in advance.
    static let defaultBlockSize = 10_000

    /// Requested percentage per fault, in `Fault.allCases` order.
    let percentages: [Double]
    /// Messages per block.
    let blockSize: Int
    private let quotas: [Int]
    private var owed: [Int]
    private var remainingInBlock = 0

    /// Validates the percentages (each in 0…100, together at most 100) and plans blocks of
    /// `blockSize` messages.
    init(percentages byFault: [Fault: Double], blockSize: Int = FaultPlan.defaultBlockSize) throws(SimError) {
        precondition(blockSize > 0, "block size must be positive")
        var percentages: [Double] = []
        for fault in Fault.allCases {
            let value = byFault[fault] ?? 0
            guard value.isFinite, (0...100).contains(value) else {
                throw SimError("\(fault.optionName) \(value): expected a percentage from 0 to 100")
            }
            percentages.append(value)
        }
        let total = percentages.reduce(0, +)
        guard total <= 100 + 1e-9 else {
            let listed = zip(Fault.allCases, percentages).filter { $0.1 > 0 }.map { "\($0.0.optionName) \($0.1)" }
            throw SimError(
                "fault percentages add up to \(total) (\(listed.joined(separator: ", "))): at most one fault per message, so they must add up to at most 100"
            )
        }
        self.percentages = percentages
        self.blockSize = blockSize
        let exact = percentages.map { $0 * Double(blockSize) / 100 }
        var quotas = exact.map { Int(($0 + 1e-9).rounded()) }
        let target = min(blockSize, Int((exact.reduce(0, +) + 1e-9).rounded()))
        while quotas.reduce(0, +) < target {
            let shortest = quotas.indices.max { exact[$0] - Double(quotas[$0]) < exact[$1] - Double(quotas[$1]) } ?? 0
            quotas[shortest] += 1
        }
        while quotas.reduce(0, +) > target {
            let longest = quotas.indices.max { Double(quotas[$0]) - exact[$0] < Double(quotas[$1]) - exact[$1] } ?? 0
            quotas[longest] -= 1
        }
        self.quotas = quotas
        owed = Array(repeating: 0, count: quotas.count)
    }

    /// Faults owed per block, by fault: `round(p × blockSize / 100)`.
    var quotaByFault: [Fault: Int] {
        Dictionary(uniqueKeysWithValues: zip(Fault.allCases, quotas))
    }

    /// Whether every percentage is 0.
    var isEmpty: Bool { quotas.allSatisfy { $0 == 0 } }

    /// Moves to the next message and returns the fault it should carry, if any. Exactly one
    /// draw from `random` per call, whatever the outcome.
    mutating func draw(using random: inout SeededGenerator) -> Fault? {
        if remainingInBlock == 0 {
            remainingInBlock = blockSize
            owed = quotas
        }
        let pick = random.below(remainingInBlock)
        remainingInBlock -= 1
        var end = 0
        for (position, count) in owed.enumerated() {
            end += count
            if pick < end { return Fault.allCases[position] }
        }
        return nil
    }

    /// Records whether the fault last drawn was applied; one not applied stays owed.
    mutating func settle(_ fault: Fault, applied: Bool) {
        guard applied, let position = Fault.allCases.firstIndex(of: fault), owed[position] > 0 else { return }
        owed[position] -= 1
    }
}
