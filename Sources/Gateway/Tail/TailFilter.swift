/// Which records `gateway tail` shows: every given field must match exactly.
struct TailFilter {
    var tier: String?
    var park: String?
    var site: String?
    var device: String?
    var metric: String?

    func accepts(_ record: [String: Any]) -> Bool {
        let wanted: [(String, String?)] = [
            ("tier", tier), ("park", park), ("site", site), ("device", device), ("metric", metric),
        ]
        for (field, value) in wanted {
            if let value, record[field] as? String != value { return false }
        }
        return true
    }
}
