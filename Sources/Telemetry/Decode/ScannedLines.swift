/// What `LineProtocolDecoder.scan` took from one message of InfluxDB line protocol: its lines,
/// their readings, and the bytes their names and strings are in.
///
/// Every token points into `text`, a copy of the payload in which escaped names and strings
/// were unescaped in place (an unescaped token is never longer) and joined names appended, so
/// no token has escapes left and the pipeline reads all of them from one buffer, as it reads a
/// JSON payload's. The pipeline keeps one instance: scanning allocates nothing once it has
/// grown to the largest message.
struct ScannedLines {
    /// The payload with its tokens unescaped; read through `withText`.
    var text: [UInt8] = []
    var lines: [ScannedLine] = []
    var readings: [ScannedReading] = []
    /// True when every line carried a timestamp (see `IngestPipeline.recognise`).
    var allTimestamped = true

    /// Empties the message, keeping the storage.
    mutating func removeAll() {
        text.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        readings.removeAll(keepingCapacity: true)
        allTimestamped = true
    }
}

/// One line of line protocol: the device its tags name, and its readings.
struct ScannedLine {
    /// 1-based, counting every line of the message (comments and blank ones too), for details.
    var number: Int
    /// Tag values naming the park, site and device (`LineProtocolOptions`), in
    /// `ScannedLines.text`; nil where the line has no such tag or none is configured.
    var park: StringToken?
    var site: StringToken?
    var device: StringToken?
    /// The line's readings in `ScannedLines.readings`.
    var readings: Range<Int>
}
