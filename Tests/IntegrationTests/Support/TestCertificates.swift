import Foundation

/// Throw-away X.509 material for TLS tests, made with the `openssl` command line in a scratch
/// folder: a test CA, a server certificate for `127.0.0.1` / `localhost` (subject alternative
/// names, so host-name checking stays on), a client certificate for mutual TLS, and a second,
/// unrelated CA that signed none of them. Keys are P-256 (fast to generate), valid for one day.
struct TestCertificates {
    /// The CA that signed the server and client certificates (PEM).
    let caCertificate: URL
    /// The broker's certificate: CN and SAN `IP:127.0.0.1`, SAN `DNS:localhost`, serverAuth.
    let serverCertificate: URL
    let serverKey: URL
    /// A client certificate (CN `gateway-test-client`, clientAuth) signed by `caCertificate`.
    let clientCertificate: URL
    let clientKey: URL
    /// A self-signed CA unrelated to every certificate above: trusting only it must fail.
    let unrelatedCACertificate: URL

    /// Generates everything into `directory/certs`.
    init(directory: URL) throws {
        let folder = directory.appendingPathComponent("certs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func file(_ name: String) -> URL { folder.appendingPathComponent(name) }
        caCertificate = file("ca.crt")
        serverCertificate = file("server.crt")
        serverKey = file("server.key")
        clientCertificate = file("client.crt")
        clientKey = file("client.key")
        unrelatedCACertificate = file("unrelated-ca.crt")

        try Self.makeCA(subject: "/CN=Gateway Test CA", certificate: caCertificate, key: file("ca.key"), in: folder)
        try Self.makeCA(
            subject: "/CN=Unrelated Test CA", certificate: unrelatedCACertificate, key: file("unrelated-ca.key"), in: folder)
        try Self.makeLeaf(
            subject: "/CN=127.0.0.1",
            extensions: [
                "subjectAltName=IP:127.0.0.1,DNS:localhost", "extendedKeyUsage=serverAuth",
                "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
            ], serial: 2, certificate: serverCertificate, key: serverKey, in: folder)
        try Self.makeLeaf(
            subject: "/CN=gateway-test-client",
            extensions: [
                "extendedKeyUsage=clientAuth", "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
            ], serial: 3, certificate: clientCertificate, key: clientKey, in: folder)
        // Mosquitto started as root drops to the `mosquitto` user before it reads its key; this
        // key protects nothing beyond one test run, so let that user read it.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: serverKey.path)
    }

    /// Mosquitto lines turning the listener just above them into a TLS listener with these
    /// certificates; `requireClientCertificate` makes it demand a certificate signed by the CA.
    func brokerTLSConfig(requireClientCertificate: Bool = false) -> [String] {
        [
            "cafile \(caCertificate.path)",
            "certfile \(serverCertificate.path)",
            "keyfile \(serverKey.path)",
            "require_certificate \(requireClientCertificate)",
        ]
    }

    private static func makeCA(subject: String, certificate: URL, key: URL, in folder: URL) throws {
        try openssl(
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.path, "-out", certificate.path, "-days", "1", "-subj", subject,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ], in: folder)
    }

    private static func makeLeaf(
        subject: String, extensions: [String], serial: Int, certificate: URL, key: URL, in folder: URL
    ) throws {
        let request = folder.appendingPathComponent(certificate.lastPathComponent + ".csr")
        let extensionFile = folder.appendingPathComponent(certificate.lastPathComponent + ".ext")
        try (extensions.joined(separator: "\n") + "\n").write(to: extensionFile, atomically: true, encoding: .utf8)
        try openssl(
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.path, "-out", request.path, "-subj", subject,
            ], in: folder)
        try openssl(
            [
                "x509", "-req", "-in", request.path, "-CA", folder.appendingPathComponent("ca.crt").path,
                "-CAkey", folder.appendingPathComponent("ca.key").path, "-set_serial", "\(serial)", "-days", "1",
                "-extfile", extensionFile.path, "-out", certificate.path,
            ], in: folder)
    }

    private static func openssl(_ arguments: [String], in folder: URL) throws {
        let executable = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else { throw TestFailure("openssl is not installed (apt-get install openssl)") }
        let run = try ChildProcess(
            URL(fileURLWithPath: executable), arguments,
            logURL: folder.appendingPathComponent("openssl-\(UUID().uuidString).log"))
        let status = try run.waitForExit(timeout: 30)
        guard status == 0 else {
            throw TestFailure("openssl \(arguments.prefix(2).joined(separator: " ")) exited \(status):\n\(run.output)")
        }
    }
}
