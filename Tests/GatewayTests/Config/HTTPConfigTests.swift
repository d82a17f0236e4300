import Foundation
import Testing

@testable import Gateway

/// `http:`: the listen address, and the token required away from loopback.
@Suite("HTTP config")
struct HTTPConfigTests {
    @Test func listenTakesHostAndPortAndIPv6InBrackets() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.parse("http:\n  listen: \"[::1]:9090\"\n")
        #expect(config.http.host == "::1" && config.http.port == 9090)
        #expect(HTTPSettings.isLoopback(config.http.host))
    }

    @Test func aNonLoopbackAddressWithoutATokenIsRefusedWithTheReason() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("http:\n  listen: 0.0.0.0:8080\n") == [
                fixture.issue(
                    2, 11, "http.listen",
                    "listening on 0.0.0.0 (not loopback) needs a bearer token: set http.token_env or http.token_file")
            ])
        let withToken = try fixture.parse("http:\n  listen: 0.0.0.0:8080\n  token_env: API_TOKEN\n")
        #expect(withToken.http.tokenEnv == "API_TOKEN")
        #expect(throws: HTTPSettings.HTTPTokenError.self) { try withToken.http.resolveToken(environment: [:]) }
        #expect(try withToken.http.resolveToken(environment: ["API_TOKEN": "s3cret"]) == "s3cret")
    }

    @Test func aListenAddressWithoutAPortIsNamed() throws {
        let fixture = try ConfigFixture()
        #expect(
            fixture.issues("http:\n  listen: localhost\n") == [
                fixture.issue(
                    2, 11, "http.listen", "expected host:port like 127.0.0.1:8080 (port 1…65535), got \"localhost\"")
            ])
    }
}
