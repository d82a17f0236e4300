/// How one declared key's value is read, validated and stored into its section's settings:
/// a closure over the existing `ConfigNodeReader` methods, so ranges and messages are the
/// reader's. The common forms (`integer`, `byteSize`, `duration`, `bool`, `choice`, `string`)
/// store into a key path of the settings; anything with rules of its own is `custom`.
///
/// A read that finds a problem reports it and leaves the settings as they were (the default).
struct ConfigRead<Settings>: Sendable {
    /// Reads the key `name` of `section` into `settings`.
    typealias Body =
        @Sendable (
            _ reader: inout ConfigNodeReader, _ section: ConfigNodeReader.Section, _ name: String,
            _ settings: inout Settings
        ) -> Void

    /// The reading itself.
    let body: Body

    /// A read with rules of its own: `body` gets the reader, the section, the key's name and the
    /// settings to update.
    static func custom(_ body: @escaping Body) -> ConfigRead {
        ConfigRead(body: body)
    }

    /// Reads a value with `value` (nil when the key is absent or wrong, the problem reported)
    /// and stores it into `keyPath`.
    private static func storing<Value>(
        _ keyPath: WritableKeyPath<Settings, Value> & Sendable,
        _ value: @escaping @Sendable (inout ConfigNodeReader, ConfigNodeReader.Section, String) -> Value?
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let read = value(&reader, section, name) { settings[keyPath: keyPath] = read }
        }
    }

    /// An integer in `range` (`ConfigNodeReader.integer`).
    static func integer(_ keyPath: WritableKeyPath<Settings, Int> & Sendable, range: ClosedRange<Int>) -> ConfigRead {
        storing(keyPath) { $0.integer($2, in: $1, range: range) }
    }

    /// A byte size in `range`, optionally a power of two (`ConfigNodeReader.byteSize`).
    static func byteSize(
        _ keyPath: WritableKeyPath<Settings, Int> & Sendable, range: ClosedRange<Int64>, powerOfTwo: Bool = false
    ) -> ConfigRead {
        storing(keyPath) { $0.byteSize($2, in: $1, range: range, powerOfTwo: powerOfTwo).map { Int($0) } }
    }

    /// A byte size in `range` stored as `Int64`.
    static func byteSize(_ keyPath: WritableKeyPath<Settings, Int64> & Sendable, range: ClosedRange<Int64>) -> ConfigRead {
        storing(keyPath) { $0.byteSize($2, in: $1, range: range) }
    }

    /// A byte size in `range` for a limit that is off (`nil`) by default.
    static func byteSize(_ keyPath: WritableKeyPath<Settings, Int64?> & Sendable, range: ClosedRange<Int64>) -> ConfigRead {
        storing(keyPath) { $0.byteSize($2, in: $1, range: range).map { Optional($0) } }
    }

    /// A duration in `range`, stored in milliseconds (`ConfigNodeReader.duration`).
    static func duration(_ keyPath: WritableKeyPath<Settings, Int64> & Sendable, range: ClosedRange<Int64>) -> ConfigRead {
        storing(keyPath) { $0.duration($2, in: $1, range: range) }
    }

    /// A duration in `range` for a limit that is off (`nil`) by default, in milliseconds.
    static func duration(_ keyPath: WritableKeyPath<Settings, Int64?> & Sendable, range: ClosedRange<Int64>) -> ConfigRead {
        storing(keyPath) { $0.duration($2, in: $1, range: range).map { Optional($0) } }
    }

    /// A duration of whole seconds in `range` (given in milliseconds), stored in seconds.
    static func seconds(_ keyPath: WritableKeyPath<Settings, Int> & Sendable, range: ClosedRange<Int64>) -> ConfigRead {
        storing(keyPath) { $0.duration($2, in: $1, range: range, wholeSeconds: true).map { Int($0 / 1_000) } }
    }

    /// `true` or `false` (`ConfigNodeReader.bool`).
    static func bool(_ keyPath: WritableKeyPath<Settings, Bool> & Sendable) -> ConfigRead {
        storing(keyPath) { $0.bool($2, in: $1) }
    }

    /// One of `options`, written exactly (`ConfigNodeReader.choice`).
    static func choice(_ keyPath: WritableKeyPath<Settings, String> & Sendable, options: [String]) -> ConfigRead {
        storing(keyPath) { $0.choice($2, in: $1, options: options) }
    }

    /// A non-empty string; a problem says it expected `expected` (`ConfigNodeReader.string`).
    static func string(_ keyPath: WritableKeyPath<Settings, String> & Sendable, describing expected: String) -> ConfigRead {
        storing(keyPath) { $0.string($2, in: $1, describing: expected) }
    }
}
