/// The malformed line protocol a `malformed_payload` fault sends with `--format line`: each
/// breaks a rule of the line protocol reference, so the gateway refuses the whole message. (A
/// well-formed line cut short may still be a valid line, so truncation is not used here.)
enum MalformedLine: CaseIterable, Sendable {
    /// `telemetry,device=d metric=`: a field without a value.
    case missingValue
    /// `telemetry,device=d`: no field at all.
    case noFields
    /// `telemetry,device=d metric="open`: a string value never closed.
    case unterminatedString
    /// `telemetry,device=d metric=12x`: a value of no type.
    case badValue

    /// The payload for `device`, using `metric` as the field key.
    func bytes(device: String, metric: String) -> [UInt8] {
        let head = "\(LinePayload.measurement),\(LinePayload.deviceTag)=\(device)"
        switch self {
        case .missingValue: return Array("\(head) \(metric)=".utf8)
        case .noFields: return Array(head.utf8)
        case .unterminatedString: return Array("\(head) \(metric)=\"open".utf8)
        case .badValue: return Array("\(head) \(metric)=12x".utf8)
        }
    }
}
