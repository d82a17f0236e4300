import Foundation

/// The HTTP API (`http:` in `gateway.yaml`): where it listens, the bearer token it requires
/// away from loopback, and its limits.
struct HTTPSettings: Sendable, Equatable {
    /// Whether `gateway run` serves the API.
    var enabled = true
    /// Host (IPv4, `[IPv6]` or a name) and port to listen on.
    var host = "127.0.0.1"
    var port = 8080
    /// Environment variable holding the bearer token.
    var tokenEnv: String?
    /// File whose first line is the bearer token (resolved against the config file's directory).
    var tokenFile: String?
    /// Queries running at once; more get a 503.
    var maxConcurrentQueries = 4
    /// A device with no reading for this long is `silent` in `/api/v1/devices`.
    var silenceMillis: Int64 = 300_000

    /// All defaults.
    init() {}

    /// Whether `host` is a loopback address, reachable only from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The bearer token from `tokenEnv` or `tokenFile`, nil when neither is set.
    func resolveToken(environment: [String: String]) throws -> String? {
        if let name = tokenEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw HTTPTokenError(message: "http.token_env names \(name), which is not set or empty in the environment")
            }
            return value
        }
        if let path = tokenFile {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                throw HTTPTokenError(message: "http.token_file \(path) cannot be read as text")
            }
            let token = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !token.isEmpty else { throw HTTPTokenError(message: "http.token_file \(path) is empty") }
            return token
        }
        return nil
    }

    /// Why the token could not be obtained, naming the key.
    struct HTTPTokenError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
