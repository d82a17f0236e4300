/// The kinds of payload a `malformed_payload` fault sends: none of them is one of the three
/// shapes, and the truncated and random ones are not JSON at all.
enum MalformedPayload: CaseIterable, Sendable {
    /// A well-formed payload cut short (a proper prefix of a JSON object or array never parses).
    case truncated
    /// 8–64 random 7-bit bytes starting with a control character (7-bit so that the ledger, a
    /// JSON string, can hold them exactly).
    case randomBytes
    /// `[1,2]`: JSON, but an array of numbers rather than of `{ts, values}` entries.
    case numberArray
    /// `{"values":3}`: JSON, but `values` is not an object.
    case valuesNotObject

    /// Writes this kind of payload; `wellFormed` is the payload `truncated` cuts short.
    func bytes(wellFormed: [UInt8], random: inout SeededGenerator) -> [UInt8] {
        switch self {
        case .truncated:
            guard wellFormed.count > 1 else { return Array("{\"".utf8) }
            return Array(wellFormed[..<(1 + random.below(wellFormed.count - 1))])
        case .randomBytes:
            let length = 8 + random.below(57)
            var bytes = [UInt8(random.below(9))]
            for _ in 1..<length { bytes.append(UInt8(random.below(128))) }
            return bytes
        case .numberArray:
            return Array("[1,2]".utf8)
        case .valuesNotObject:
            return Array("{\"values\":3}".utf8)
        }
    }
}
