/// Finds the allowed key an unknown key was probably meant to be ("did you mean"), so a typo
/// such as `prot` or `clientId` points straight at `port` or `client_id`.
enum ConfigKeySuggester {
    /// The candidate closest to `key`, or `nil` when none is close. In order of preference:
    /// equal ignoring case, `_` and `-`; within an edit distance of about a third of the key's
    /// length (a swap of two neighbours counts as one edit); one a prefix of the other (4+
    /// characters). Ties go to the earlier candidate. O(k · n · m) for k candidates of length
    /// m and a key of length n.
    static func suggestion(for key: String, among candidates: [String]) -> String? {
        let normalizedKey = normalized(key)
        var best: (candidate: String, distance: Int)?
        var prefixMatch: String?
        for candidate in candidates {
            let normalizedCandidate = normalized(candidate)
            if normalizedCandidate == normalizedKey {
                return candidate
            }
            let distance = editDistance(Array(key.lowercased()), Array(candidate.lowercased()))
            if distance <= max(1, min(3, key.count / 3)), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
            let shorter = min(normalizedKey.count, normalizedCandidate.count)
            if prefixMatch == nil, shorter >= 4,
                normalizedKey.hasPrefix(normalizedCandidate) || normalizedCandidate.hasPrefix(normalizedKey)
            {
                prefixMatch = candidate
            }
        }
        return best?.candidate ?? prefixMatch
    }

    /// Lowercased with `_`, `-` and spaces removed, so `clientId` matches `client_id`.
    private static func normalized(_ key: String) -> String {
        String(key.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    /// two adjacent characters each cost one.
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var table = [Int](repeating: 0, count: (a.count + 1) * width)
        for i in 0...a.count { table[i * width] = i }
        for j in 0...b.count { table[j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(
                    table[(i - 1) * width + j] + 1,
                    table[i * width + j - 1] + 1,
                    table[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[(i - 2) * width + j - 2] + 1)
                }
                table[i * width + j] = value
            }
        }
        return table[a.count * width + b.count]
    }
}
