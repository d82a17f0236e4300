import Foundation
import Yams

/// `http:`, the HTTP API. Binding beyond loopback needs a bearer token (`checkHTTPToken`).
extension ConfigKeys {
    static let http = ConfigSection<HTTPSettings>(
        "http",
        keys: [
            ConfigKey(
                "http.enabled", type: "boolean", default: "`true`",
                meaning: "Serve the HTTP API (query, series, devices, `/healthz`, `/metrics`) from `gateway run`.",
                read: .bool(\.enabled)),
            ConfigKey(
                "http.listen", type: "`host:port`", default: "`127.0.0.1:8080`",
                meaning: "Address to listen on. Any address other than loopback needs `token_env` or `token_file`.",
                read: .custom(readListen)),
            ConfigKey(
                "http.token_env", type: "environment variable name", default: "unset",
                meaning: "Environment variable holding the bearer token every request must send "
                    + "(`Authorization: Bearer …`).",
                read: .custom { reader, section, name, settings in
                    settings.tokenEnv = reader.string(name, in: section, nullMeansAbsent: true)
                }),
            ConfigKey(
                "http.token_file", type: "path", default: "unset",
                meaning: "File whose first line is the bearer token.",
                read: .custom { reader, section, name, settings in
                    guard let path = reader.string(name, in: section, nullMeansAbsent: true) else { return }
                    settings.tokenFile = ConfigTextFile.resolve(path, against: reader.baseDirectory)
                }),
            ConfigKey(
                "http.max_concurrent_queries", type: "integer 1…64", default: "`4`",
                meaning: "Queries and listings (`/series`, `/devices`) running at once; more get a 503 at once rather "
                    + "than waiting.",
                read: .integer(\.maxConcurrentQueries, range: 1...64)),
            ConfigKey(
                "http.silence", type: "duration 10s…7d", default: "`5m`",
                meaning: "A device with no reading for this long is `silent` in `/api/v1/devices`.",
                read: .duration(\.silenceMillis, range: 10 * second...7 * day)),
        ])

    /// `host:port`, with `[v6]:port` for IPv6 addresses.
    static func readListen(
        reader: inout ConfigNodeReader, section: ConfigNodeReader.Section, name: String, settings: inout HTTPSettings
    ) {
        guard let text = reader.string(name, in: section, describing: "host:port like 127.0.0.1:8080") else { return }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65_535).contains(port), colon != text.startIndex
        else {
            reader.report(
                "expected host:port like 127.0.0.1:8080 (port 1…65535), got \(ConfigNodeReader.quoted(text))",
                key: section.path(name), at: section.node(name))
            return
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        settings.host = host
        settings.port = port
    }

    /// A non-loopback address without a token is refused: the API would be open to the network.
    static func checkHTTPToken(_ settings: HTTPSettings, node: Node?, reader: inout ConfigNodeReader) {
        guard settings.enabled, !HTTPSettings.isLoopback(settings.host), settings.tokenEnv == nil, settings.tokenFile == nil
        else { return }
        reader.report(
            "listening on \(settings.host) (not loopback) needs a bearer token: set http.token_env or http.token_file",
            key: "http.listen", at: node)
    }
}
