/// Parsing and printing of the value forms the configuration files use that YAML does not
/// know: durations (`500ms`, `10s`, `1m`, `1h`, `1d`), byte sizes (`512`, `64KiB`, `32 MiB`,
/// `1GB`), MQTT topic filters and the ingest topic pattern.
enum ConfigValueParsers {
    /// Duration units, longest first, with their length in milliseconds.
    static let durationUnits: [(suffix: String, millis: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// Byte-size units with their multiplier; binary (KiB…) and decimal (KB…) forms.
    static let byteUnits: [String: Int64] = [
        "B": 1,
        "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
        "KB": 1_000, "kB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000, "TB": 1_000_000_000_000,
    ]

    /// Names allowed inside `{…}` in the ingest topic pattern; each must appear exactly once.
    static let topicPatternNames = ["park", "site", "device"]

    /// Milliseconds for a duration such as `500ms`, `10s`, `1m`, `1h` or `1d` (a space before the
    /// unit is allowed); `nil` for anything else, including a bare number or an overflow.
    static func durationMillis(_ text: String) -> Int64? {
        guard let (number, unit) = splitNumberAndUnit(text), !unit.isEmpty,
            let multiplier = durationUnits.first(where: { $0.suffix == unit })?.millis
        else {
            return nil
        }
        let (millis, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : millis
    }

    /// The shortest exact spelling of a duration in the largest whole unit: 60000 → `1m`,
    /// 90000 → `90s`, 1500 → `1500ms`. Used for tier names and in messages.
    static func durationText(millis: Int64) -> String {
        if millis != 0 {
            for unit in durationUnits where millis % unit.millis == 0 {
                return "\(millis / unit.millis)\(unit.suffix)"
            }
        }
        return "\(millis)ms"
    }

    /// Bytes for a size such as `512`, `64KiB`, `64 KiB`, `32MiB`, `1GiB`, `10MB` (KB/MB/GB/TB
    /// are powers of 1000); `nil` for anything else or an overflow.
    static func byteCount(_ text: String) -> Int64? {
        guard let (number, unit) = splitNumberAndUnit(text) else {
            return nil
        }
        guard let multiplier = unit.isEmpty ? 1 : byteUnits[unit] else {
            return nil
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    /// The shortest exact binary spelling of a size: 33554432 → `32MiB`, 1000 → `1000B`.
    static func byteText(_ bytes: Int64) -> String {
        for (suffix, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] {
            let unit: Int64 = 1 << shift
            if bytes != 0, bytes % unit == 0 {
                return "\(bytes / unit)\(suffix)"
            }
        }
        return "\(bytes)B"
    }

    /// Why `filter` is not a valid MQTT topic filter, or `nil` when it is: non-empty, at most
    /// 65535 UTF-8 bytes, no NUL, `+` only as a whole level, `#` only as the whole last level.
    static func topicFilterProblem(_ filter: String) -> String? {
        if filter.isEmpty {
            return "a topic filter cannot be empty"
        }
        if filter.utf8.count > 65_535 {
            return "a topic filter is at most 65535 bytes, this one has \(filter.utf8.count)"
        }
        if filter.unicodeScalars.contains("\0") {
            return "a topic filter cannot contain a NUL character"
        }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            if level.contains("#") && (level != "#" || index != levels.count - 1) {
                return "'#' must be a whole level and the last one (like iiot/#), in \"\(filter)\""
            }
            if level.contains("+") && level != "+" {
                return "'+' must be a whole level (like iiot/+/telemetry), in \"\(filter)\""
            }
        }
        return nil
    }

    /// Every problem of an ingest topic pattern such as `iiot/{park}/{site}/{device}/telemetry`:
    /// each level is a literal or exactly one `{name}` with a name from `topicPatternNames`, no
    /// name appears twice, and each of `required` appears. A line protocol subscription's pattern
    /// (`lineProtocol`) requires only the levels no tag names, and a missing one is reported with
    /// the tag key that would name it instead. Empty when the pattern is valid.
    static func topicPatternProblems(
        _ pattern: String, required: [String] = topicPatternNames, lineProtocol: Bool = false
    ) -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        // By Unicode scalar, as `TopicPattern` splits: a combining mark after "/" must not glue
        // two levels together for one validator and not for the other.
        for scalars in pattern.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false) {
            let level = String(String.UnicodeScalarView(scalars))
            let isPlaceholder = scalars.first == "{" && scalars.last == "}" && scalars.count >= 2
            if isPlaceholder {
                let name = String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
                if !topicPatternNames.contains(name) {
                    problems.append(
                        "unknown segment name {\(name)}; the names are {park}, {site} and {device}")
                } else if !seen.insert(name).inserted {
                    problems.append("{\(name)} appears more than once")
                }
            } else if scalars.contains(where: { "{}+#".unicodeScalars.contains($0) }) {
                problems.append(
                    "segment \"\(level)\" must be a literal or exactly one {name}; "
                        + "'{', '}', '+' and '#' cannot appear inside a literal")
            }
        }
        let missing = required.filter { !seen.contains($0) }
        if !missing.isEmpty {
            let list = missing.map { "{\($0)}" }.joined(separator: ", ")
            if lineProtocol {
                let names = required.map { "{\($0)}" }
                let levels =
                    names.count == 1 ? list : names.dropLast().joined(separator: ", ") + " and " + names.suffix(1).joined()
                let tags = missing.map { "\($0)_tag" }.joined(separator: ", ")
                problems.append(
                    "must contain \(levels), as no tag names \(names.count == 1 ? "it" : "them"); "
                        + "missing \(list) (or set \(tags))")
            } else {
                problems.append("must contain {park}, {site} and {device}, one segment each; missing \(list)")
            }
        }
        return problems
    }

    /// The MQTT filter of a valid topic pattern: every `{name}` level becomes `+`
    /// (`iiot/{park}/{site}/{device}/telemetry` gives `iiot/+/+/+/telemetry`).
    static func topicFilter(ofPattern pattern: String) -> String {
        pattern.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).map { scalars in
            scalars.first == "{" && scalars.last == "}" && scalars.count >= 2 ? "+" : String(String.UnicodeScalarView(scalars))
        }.joined(separator: "/")
    }

    /// Splits `  12 KiB ` into (12, "KiB"): ASCII digits, optional spaces, then letters only.
    private static func splitNumberAndUnit(_ text: String) -> (Int64, String)? {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, scalars[start] == " " { start += 1 }
        while end > start, scalars[end - 1] == " " { end -= 1 }
        var index = start
        var number: Int64 = 0
        while index < end, (48...57).contains(scalars[index].value) {
            let digit = Int64(scalars[index].value - 48)
            let (times10, overflow1) = number.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            number = sum
            index += 1
        }
        guard index > start else { return nil }
        while index < end, scalars[index] == " " { index += 1 }
        let unit = String(String.UnicodeScalarView(scalars[index..<end]))
        guard unit.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else {
            return nil
        }
        return (number, unit)
    }
}
