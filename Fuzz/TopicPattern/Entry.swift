// libFuzzer target `TopicPattern`: `TopicPattern.init` and `TopicPattern.match` against a
// byte-level reference written here from the documented rules.
//
// Input: `pattern\ntopic` (everything before the first newline is the pattern, decoded as UTF-8
// with replacement), or, without a newline, a topic for the default pattern
// `iiot/{park}/{site}/{device}/telemetry`.
//
// Rules (TopicPattern's doc comments): a pattern is `/`-separated levels; a level is a
// placeholder `{name}` (non-empty name, each name once; `park`, `site` and `device` required)
// or a literal without `{`, `}`, `+` and `#`. A topic matches when it has exactly as many
// levels, each literal level is byte-equal, and each placeholder level is non-empty; park,
// site and device are those levels as UTF-8 with replacement. MQTT topics are bytes, so the
// reference splits on the byte `/` everywhere, patterns included.
// Checked: the same validity, the same match result for the raw-byte and `String` entry
// points, and captured levels that are non-empty and without `/`. A difference traps.

import Telemetry

/// A pattern level as the reference sees it.
enum ReferenceLevel: Equatable {
    case literal([UInt8])
    case named(String)
}

/// The checks run on each input; see the file header.
enum TopicPatternTarget {
    /// The MQTT level separator.
    static let slash = UInt8(ascii: "/")

    /// The reference parse of `pattern`, or `nil` when the rules reject it.
    static func referenceLevels(_ pattern: String) -> [ReferenceLevel]? {
        var levels: [ReferenceLevel] = []
        var seen: Set<String> = []
        for level in Array(pattern.utf8).split(separator: slash, omittingEmptySubsequences: false) {
            if level.first == UInt8(ascii: "{"), level.last == UInt8(ascii: "}"), level.count >= 2 {
                let name = String(decoding: level.dropFirst().dropLast(), as: UTF8.self)
                guard !name.isEmpty, seen.insert(name).inserted else { return nil }
                levels.append(.named(name))
            } else {
                guard !level.contains(where: { "{}+#".utf8.contains($0) }) else { return nil }
                levels.append(.literal(Array(level)))
            }
        }
        guard seen.isSuperset(of: ["park", "site", "device"]) else { return nil }
        return levels
    }

    /// The reference match of `topic` against `levels`.
    static func referenceMatch(_ levels: [ReferenceLevel], _ topic: [UInt8]) -> DeviceKey? {
        let parts = topic.split(separator: slash, omittingEmptySubsequences: false)
        guard parts.count == levels.count else { return nil }
        var captured: [String: String] = [:]
        for (level, part) in zip(levels, parts) {
            switch level {
            case .literal(let bytes):
                guard part.elementsEqual(bytes) else { return nil }
            case .named(let name):
                guard !part.isEmpty else { return nil }
                captured[name] = String(decoding: part, as: UTF8.self)
            }
        }
        guard let park = captured["park"], let site = captured["site"], let device = captured["device"] else {
            return nil
        }
        return DeviceKey(park: park, site: site, device: device)
    }

    /// All checks of the file header on one input.
    static func run(_ input: [UInt8]) {
        let patternText: String
        let topic: [UInt8]
        if let newline = input.firstIndex(of: 0x0A) {
            patternText = String(decoding: input[..<newline], as: UTF8.self)
            topic = Array(input[(newline + 1)...])
        } else {
            patternText = TopicPattern.defaultPattern
            topic = input
        }
        let reference = referenceLevels(patternText)
        let pattern: TopicPattern
        do {
            pattern = try TopicPattern(patternText)
        } catch {
            if let reference {
                fatalError("TopicPattern rejects \(patternText.debugDescription) (\(error)); the reference accepts \(reference)")
            }
            if error.description.isEmpty { fatalError("empty error description for \(patternText.debugDescription)") }
            return
        }
        guard let reference else {
            fatalError("TopicPattern accepts \(patternText.debugDescription) as \(pattern.segments); the reference rejects it")
        }
        let matched = topic.withUnsafeBytes { pattern.match($0) }
        let expected = referenceMatch(reference, topic)
        if matched != expected {
            fatalError(
                "pattern \(patternText.debugDescription), topic \(String(decoding: topic, as: UTF8.self).debugDescription): match \(String(describing: matched)), reference \(String(describing: expected))"
            )
        }
        if let matched {
            for field in [matched.park, matched.site, matched.device] where field.isEmpty || field.contains("/") {
                fatalError("captured level \(field.debugDescription) is empty or has a /")
            }
        }
        if let text = String(validating: topic, as: UTF8.self), pattern.match(text) != matched {
            fatalError("match(String) and match(bytes) disagree on \(text.debugDescription)")
        }
    }
}

/// libFuzzer's entry point: one input, 0 when done (a violated invariant traps instead).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    TopicPatternTarget.run(input)
    return 0
}
