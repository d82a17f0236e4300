/// TLS towards the broker; present in `MQTTSettings` exactly when the YAML has a `tls:` section.
///
/// Invariants after loading: `caFile` or `caPath` is set; `certFile` and `keyFile` are both set
/// or both `nil`; every path is resolved against the config file's directory and existed at load.
struct TLSSettings: Sendable, Equatable {
    /// PEM file of the certificate authorities that sign the broker's certificate.
    var caFile: String?
    /// Directory of hashed CA certificates (as made by `openssl rehash`), instead of `caFile`.
    var caPath: String?
    /// PEM client certificate, for brokers that authenticate clients by certificate.
    var certFile: String?
    /// PEM private key of `certFile`.
    var keyFile: String?
    /// Skips checking the broker's host name against its certificate. Testing only: it lets a
    /// man in the middle read every reading.
    var insecure = false

    /// Creates TLS settings; the loader validates them, this initializer does not.
    init(
        caFile: String? = nil, caPath: String? = nil, certFile: String? = nil,
        keyFile: String? = nil, insecure: Bool = false
    ) {
        self.caFile = caFile
        self.caPath = caPath
        self.certFile = certFile
        self.keyFile = keyFile
        self.insecure = insecure
    }
}
