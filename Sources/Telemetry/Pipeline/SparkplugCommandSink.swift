/// Where the pipeline sends the commands a Sparkplug B host sends to edge nodes; the gateway
/// publishes them on MQTT. Called on the pipeline's thread: an implementation must not block
/// (queue the command and return).
public protocol SparkplugCommandSink: AnyObject, Sendable {
    /// Asks edge node `edgeNode` of group `group` to publish its NBIRTH and DBIRTHs again (an
    /// NCMD with `Node Control/Rebirth` = true). The pipeline has already rate-limited it.
    func requestRebirth(group: String, edgeNode: String)
}
