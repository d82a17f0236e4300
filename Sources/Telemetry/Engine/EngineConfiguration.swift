/// Everything the engine needs to open a data directory and run: the pipeline's rules, the
/// write-ahead ring's size, both logs' policies and the checkpoint schedule.
public struct EngineConfiguration: Sendable {
    /// Holds the ring, the checkpoint, the poison guard's page and both logs.
    public var dataDirectory: String
    public var pipeline: PipelineSettings
    public var catalogue: MetricCatalogue
    /// Size of the write-ahead ring file.
    public var ringBytes: Int
    /// The rollup log's policy; its fsync policy also sets the ring's sync schedule.
    public var rollupLog: LogPolicy
    public var quarantineLog: LogPolicy
    /// Longest quarantine line (`storage.quarantine_max_line`).
    public var quarantineMaxLineBytes: Int
    public var checkpointIntervalMillis: Int64
    /// Test hook: the engine traps on a payload containing these bytes, so that tests can show
    /// a poison message set aside. Nil in production.
    public var crashMarker: [UInt8]?
    /// Where Sparkplug B rebirth requests go (the MQTT client); nil sends none.
    public var sparkplugCommands: (any SparkplugCommandSink)?

    public init(
        dataDirectory: String, pipeline: PipelineSettings, catalogue: MetricCatalogue, ringBytes: Int,
        rollupLog: LogPolicy, quarantineLog: LogPolicy, quarantineMaxLineBytes: Int = 4_096,
        checkpointIntervalMillis: Int64 = 2_000, crashMarker: [UInt8]? = nil,
        sparkplugCommands: (any SparkplugCommandSink)? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.pipeline = pipeline
        self.catalogue = catalogue
        self.ringBytes = ringBytes
        self.rollupLog = rollupLog
        self.quarantineLog = quarantineLog
        self.quarantineMaxLineBytes = quarantineMaxLineBytes
        self.checkpointIntervalMillis = checkpointIntervalMillis
        self.crashMarker = crashMarker
        self.sparkplugCommands = sparkplugCommands
    }
}
