/// A quantile asked in `agg`: `p1`…`p99` (percent) or `q0.` and digits (a fraction), kept with
/// the name as written, because the result names its field exactly so (`p95`, `q0.999`).
public struct QueryQuantile: Sendable, Hashable {
    /// The name as the request wrote it.
    public let name: String
    /// q, the double nearest to the decimal named: `p95` and `q0.95` are both 0.95 (95 / 100 is
    /// correctly rounded). In (0, 1) but for so many digits that the nearest double is 0 or 1.
    public let fraction: Double

    /// The quantile `name` names, or nil unless it is `p` and one or two digits not all zero,
    /// or `q0.` and digits not all zero.
    public init?(name: String) {
        let bytes = Array(name.utf8)
        let isPercent = bytes.first == UInt8(ascii: "p")
        let digits: ArraySlice<UInt8>
        if isPercent {
            digits = bytes.dropFirst()
            guard digits.count <= 2 else { return nil }
        } else if bytes.starts(with: Array("q0.".utf8)) {
            digits = bytes.dropFirst(3)
        } else {
            return nil
        }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard !digits.isEmpty, digits.allSatisfy(isDigit), digits.contains(where: { $0 != UInt8(ascii: "0") }),
            let value = Double(isPercent ? String(decoding: digits, as: UTF8.self) : String(name.dropFirst()))
        else { return nil }
        self.name = name
        fraction = isPercent ? value / 100 : value
    }
}
