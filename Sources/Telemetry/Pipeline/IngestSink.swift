/// Where the pipeline hands closed windows and rejected input; the gateway writes them to the
/// rollup and quarantine logs, tests collect them.
///
/// Called on the pipeline's thread. A sink must keep what it is given even when its storage
/// fails for a while (disk full): the pipeline does not retry.
public protocol IngestSink: AnyObject {
    func write(_ rollup: RollupWindow)
    func write(_ record: QuarantineRecord)
}
