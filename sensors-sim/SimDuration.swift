import ArgumentParser

/// A length of time given on the command line: a number with `ms`, `s`, `m` or `h`
/// (`30s`, `500ms`, `2m`); a bare number is seconds.
struct SimDuration: Sendable, Equatable, ExpressibleByArgument, CustomStringConvertible {
    /// The length in seconds.
    let seconds: Double

    /// Creates a duration of `seconds`.
    init(seconds: Double) {
        self.seconds = seconds
    }

    /// Parses `30s`, `500ms`, `2m`, `1h` or `30`; `nil` for anything else or a negative length.
    init?(argument: String) {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(argument)
        var scale = 1.0
        if let unit = units.first(where: { argument.hasSuffix($0.suffix) }) {
            number = number.dropLast(unit.suffix.count)
            scale = unit.seconds
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        seconds = value * scale
    }

    /// The duration as it would be written on the command line.
    var description: String { "\(seconds)s" }
}
