import Testing

@testable import Gateway

@Suite("MQTT password resolution")
struct MQTTPasswordTests {
    private func settings(env: String? = nil, file: String? = nil) -> MQTTSettings {
        var settings = MQTTSettings()
        settings.username = "gateway"
        settings.passwordEnv = env
        settings.passwordFile = file
        return settings
    }

    @Test func noPasswordSourceMeansNoPassword() throws {
        #expect(try MQTTSettings().resolvePassword(environment: ["GATEWAY_MQTT_PASSWORD": "x"]) == nil)
    }

    @Test func fromTheEnvironmentVariableNamedByPasswordEnv() throws {
        let password = try settings(env: "GW_PW").resolvePassword(environment: [
            "GW_PW": "s3 cr3t", "OTHER": "x",
        ])
        #expect(password == "s3 cr3t")
    }

    @Test func anUnsetOrEmptyVariableIsAnErrorNamingIt() {
        #expect(throws: MQTTSettings.PasswordError.environmentVariableNotSet(name: "GW_PW")) {
            try settings(env: "GW_PW").resolvePassword(environment: [:])
        }
        #expect(throws: MQTTSettings.PasswordError.environmentVariableEmpty(name: "GW_PW")) {
            try settings(env: "GW_PW").resolvePassword(environment: ["GW_PW": ""])
        }
        #expect(
            MQTTSettings.PasswordError.environmentVariableNotSet(name: "GW_PW").description
                == "mqtt.password_env: the environment variable GW_PW is not set; export it with the broker password before starting the gateway"
        )
    }

    @Test func fromTheFirstLineOfPasswordFileWithoutItsLineEnding() throws {
        let fixture = try ConfigFixture()
        let unix = try fixture.write("s3cret\nsecond line\n", to: "unix.txt")
        let windows = try fixture.write("s3cret\r\n", to: "windows.txt")
        let bare = try fixture.write(" spaced pw ", to: "bare.txt")
        #expect(try settings(file: unix).resolvePassword(environment: [:]) == "s3cret")
        #expect(try settings(file: windows).resolvePassword(environment: [:]) == "s3cret")
        #expect(try settings(file: bare).resolvePassword(environment: [:]) == " spaced pw ")
    }

    @Test func aMissingOrEmptyPasswordFileIsAnErrorNamingIt() throws {
        let fixture = try ConfigFixture()
        let empty = try fixture.write("\nsecond\n", to: "empty.txt")
        let missing = fixture.directory + "/missing.txt"
        #expect(throws: MQTTSettings.PasswordError.fileEmpty(path: empty)) {
            try settings(file: empty).resolvePassword(environment: [:])
        }
        #expect(throws: MQTTSettings.PasswordError.fileUnreadable(path: missing)) {
            try settings(file: missing).resolvePassword(environment: [:])
        }
        #expect(
            MQTTSettings.PasswordError.fileUnreadable(path: missing).description
                == "mqtt.password_file: cannot read \(missing) (missing, or not readable by this user)")
    }

    @Test func passwordFileIsResolvedAgainstTheConfigFilesDirectory() throws {
        let fixture = try ConfigFixture()
        try fixture.write("from-file\n", to: "pw.txt")
        let config = try fixture.parse("mqtt:\n  username: gw\n  password_file: pw.txt\n")
        #expect(config.mqtt.passwordFile == fixture.directory + "/pw.txt")
        #expect(try config.mqtt.resolvePassword(environment: [:]) == "from-file")
    }
}
