@testable import Telemetry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Rollup lines as the gateway writes them and segment files built from them, on any
/// `FileSystem`, for the tier retention tests.
enum TierRetentionFixture {
    static let second: Int64 = 1_000
    static let day: Int64 = 86_400_000
    /// 2025-11-21T00:00:00Z: day 0 of the tests.
    static let dayZero: Int64 = 1_763_683_200_000
    /// The default retention: 10s two days, 1m thirty days, 1h forever.
    static let keep: [Int64: Int64] = [10_000: 2 * day, 60_000: 30 * day]

    static let tenSeconds = Tier(name: "10s", lengthMillis: 10_000)
    static let minute = Tier(name: "1m", lengthMillis: 60_000)
    static let hour = Tier(name: "1h", lengthMillis: 3_600_000)

    /// The rollup line `RollupWindow.write(to:)` makes for one gauge window of `tier` that
    /// contains `millis`, on `device`.
    static func line(_ tier: Tier, at millis: Int64, device: String = "inv-01") -> String {
        var partial = NumericPartial()
        let start = tier.windowStart(containing: millis)
        partial.add(41.5, at: start + 1_234)
        let window = RollupWindow(
            tier: tier, startMillis: start,
            series: SeriesKey(device: DeviceKey(park: "thang-long-ii", site: "f03", device: device), metric: "power_kw"),
            kind: .gauge, unit: "kW", partial: .numeric(partial), complete: true)
        var builder = JSONLineBuilder()
        window.write(to: &builder)
        return String(decoding: builder.bytes, as: UTF8.self)
    }

    /// Creates `directory` and its parents on `fileSystem`.
    static func makeDirectory(_ directory: String, on fileSystem: any FileSystem) {
        var prefix = ""
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            _ = fileSystem.mkdir(prefix, mode: 0o755)
        }
    }

    /// Writes `lines` (each followed by a newline) and then `tail` to a new file at `path`,
    /// fsyncs it and its directory.
    static func writeFile(_ path: String, lines: [String], tail: String = "", on fileSystem: any FileSystem) throws {
        let bytes = Array((lines.map { $0 + "\n" }.joined() + tail).utf8)
        let descriptor = fileSystem.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
        guard descriptor >= 0 else { throw LogError.systemCall(path: path, operation: "create", errno: errno) }
        defer { _ = fileSystem.close(descriptor) }
        let written = bytes.withUnsafeBytes { fileSystem.write(descriptor, $0) }
        guard written == bytes.count, fileSystem.fsync(descriptor) == 0 else {
            throw LogError.systemCall(path: path, operation: "write", errno: errno)
        }
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        _ = fileSystem.syncDirectory(parent)
    }

    /// The file at `path` as text, nil when there is none.
    static func contents(_ path: String, on fileSystem: any FileSystem) throws -> String? {
        try LogSegments.readFile(atPath: path, fileSystem: fileSystem).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The lines of a text, without their newlines (a last line without one included).
    static func lines(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
