/// Maps MQTT topics to devices with a pattern of literal and named segments, such as
/// `iiot/{park}/{site}/{device}/telemetry`.
///
/// Matching is O(topic length) and allocates only the three captured strings.
public struct TopicPattern: Sendable, Equatable, CustomStringConvertible {
    /// One `/`-separated level of the pattern.
    public enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case park, site, device
        /// A named segment the gateway does not use; any non-empty level matches.
        case ignored(String)
    }

    public let segments: [Segment]
    public let description: String

    /// The pattern DESIGN.md names as the default wire contract.
    public static let defaultPattern = "iiot/{park}/{site}/{device}/telemetry"

    /// Parses a pattern; it must name each of `required` (by default `{park}`, `{site}` and
    /// `{device}`) and may name each of the three at most once. A line protocol subscription
    /// requires only the levels its lines' tags do not give.
    ///
    /// Levels are split on Unicode scalars, not `Character`s, so that a `/` followed by a
    /// combining mark still separates levels, as it does in the topic bytes `match` reads.
    public init(_ pattern: String, required: [String] = ["park", "site", "device"]) throws(TopicPatternError) {
        var segments: [Segment] = []
        var seen: Set<String> = []
        for scalars in pattern.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false) {
            let level = Substring(scalars)
            if scalars.first == "{" && scalars.last == "}" && scalars.count >= 2 {
                let name = String(Substring(scalars.dropFirst().dropLast()))
                guard !name.isEmpty else { throw .emptyName(pattern: pattern) }
                guard seen.insert(name).inserted else { throw .repeatedName(name, pattern: pattern) }
                switch name {
                case "park": segments.append(.park)
                case "site": segments.append(.site)
                case "device": segments.append(.device)
                default: segments.append(.ignored(name))
                }
            } else {
                guard !scalars.contains(where: { "{}+#".unicodeScalars.contains($0) }) else {
                    throw .badLevel(String(level), pattern: pattern)
                }
                segments.append(.literal(Array(level.utf8)))
            }
        }
        for name in required where !seen.contains(name) {
            throw .missingName(name, pattern: pattern)
        }
        self.segments = segments
        self.description = pattern
    }

    /// The device a topic names, or `nil` when the topic does not fit the pattern or the pattern
    /// does not name all three levels.
    public func match(_ topic: UnsafeRawBufferPointer) -> DeviceKey? {
        guard let levels = levels(of: topic), let park = levels.park, let site = levels.site, let device = levels.device
        else { return nil }
        return DeviceKey(park: park, site: site, device: device)
    }

    /// The park, site and device a topic names (each `nil` when the pattern has no such level),
    /// or `nil` when the topic does not fit the pattern. The `String`s are built only once the
    /// whole topic fits.
    public func levels(of topic: UnsafeRawBufferPointer) -> (park: String?, site: String?, device: String?)? {
        var park: Range<Int>?
        var site: Range<Int>?
        var device: Range<Int>?
        var start = 0
        for (position, segment) in segments.enumerated() {
            guard start <= topic.count else { return nil }
            var end = start
            while end < topic.count && topic[end] != UInt8(ascii: "/") { end += 1 }
            let isLast = position == segments.count - 1
            if isLast ? end != topic.count : end == topic.count { return nil }
            let level = UnsafeRawBufferPointer(rebasing: topic[start..<end])
            switch segment {
            case .literal(let bytes):
                guard level.elementsEqual(bytes) else { return nil }
            case .ignored:
                guard !level.isEmpty else { return nil }
            case .park, .site, .device:
                guard !level.isEmpty else { return nil }
                if case .park = segment { park = start..<end }
                if case .site = segment { site = start..<end }
                if case .device = segment { device = start..<end }
            }
            start = end + 1
        }
        func string(_ range: Range<Int>?) -> String? {
            range.map { String(decoding: UnsafeRawBufferPointer(rebasing: topic[$0]), as: UTF8.self) }
        }
        return (string(park), string(site), string(device))
    }

    /// Convenience for tests and tools.
    public func match(_ topic: String) -> DeviceKey? {
        var topic = topic
        return topic.withUTF8 { match(UnsafeRawBufferPointer($0)) }
    }
}

/// Why a topic pattern from the configuration was rejected.
public enum TopicPatternError: Error, Equatable, CustomStringConvertible {
    case emptyName(pattern: String)
    case repeatedName(String, pattern: String)
    case missingName(String, pattern: String)
    case badLevel(String, pattern: String)

    public var description: String {
        switch self {
        case .emptyName(let pattern):
            return "topic pattern \"\(pattern)\" has an empty {} segment"
        case .repeatedName(let name, let pattern):
            return "topic pattern \"\(pattern)\" names {\(name)} more than once"
        case .missingName(let name, let pattern):
            return "topic pattern \"\(pattern)\" must contain a {\(name)} segment"
        case .badLevel(let level, let pattern):
            return "topic pattern \"\(pattern)\": level \"\(level)\" must be literal text or one {name}, without + or #"
        }
    }
}
