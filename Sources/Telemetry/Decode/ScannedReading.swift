/// One metric value found in a payload, its name and any string value left in the payload's
/// bytes (see `ScannedPayload`).
struct ScannedReading {
    var name: StringToken
    /// Milliseconds since the Unix epoch; `nil` means "use the receive time".
    var timestampMillis: Int64?
    var value: ScannedValue
    /// Its name appeared earlier in the same object: quarantined as `duplicate_metric`.
    var isRepeat = false
}
