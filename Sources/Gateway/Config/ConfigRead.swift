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

    /// An integer in `range` (`ConfigNodeReader.integer`).
    static func integer(
        _ keyPath: WritableKeyPath<Settings, Int> & Sendable, range: ClosedRange<Int>
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let value = reader.integer(name, in: section, range: range) {
                settings[keyPath: keyPath] = value
            }
        }
    }

    /// A byte size in `range`, optionally a power of two (`ConfigNodeReader.byteSize`).
    static func byteSize(
        _ keyPath: WritableKeyPath<Settings, Int> & Sendable, range: ClosedRange<Int64>,
        powerOfTwo: Bool = false
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let bytes = reader.byteSize(name, in: section, range: range, powerOfTwo: powerOfTwo) {
                settings[keyPath: keyPath] = Int(bytes)
            }
        }
    }

    /// A byte size in `range` stored as `Int64`.
    static func byteSize(
        _ keyPath: WritableKeyPath<Settings, Int64> & Sendable, range: ClosedRange<Int64>
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let bytes = reader.byteSize(name, in: section, range: range) {
                settings[keyPath: keyPath] = bytes
            }
        }
    }

    /// A byte size in `range` for a limit that is off (`nil`) by default.
    static func byteSize(
        _ keyPath: WritableKeyPath<Settings, Int64?> & Sendable, range: ClosedRange<Int64>
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let bytes = reader.byteSize(name, in: section, range: range) {
                settings[keyPath: keyPath] = bytes
            }
        }
    }

    /// A duration in `range`, stored in milliseconds (`ConfigNodeReader.duration`).
    static func duration(
        _ keyPath: WritableKeyPath<Settings, Int64> & Sendable, range: ClosedRange<Int64>
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let millis = reader.duration(name, in: section, range: range) {
                settings[keyPath: keyPath] = millis
            }
        }
    }

    /// A duration in `range` for a limit that is off (`nil`) by default, in milliseconds.
    static func duration(
        _ keyPath: WritableKeyPath<Settings, Int64?> & Sendable, range: ClosedRange<Int64>
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let millis = reader.duration(name, in: section, range: range) {
                settings[keyPath: keyPath] = millis
            }
        }
    }

    /// A duration of whole seconds in `range` (given in milliseconds), stored in seconds.
    static func seconds(
        _ keyPath: WritableKeyPath<Settings, Int> & Sendable, range: ClosedRange<Int64>
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let millis = reader.duration(name, in: section, range: range, wholeSeconds: true) {
                settings[keyPath: keyPath] = Int(millis / 1_000)
            }
        }
    }

    /// `true` or `false` (`ConfigNodeReader.bool`).
    static func bool(_ keyPath: WritableKeyPath<Settings, Bool> & Sendable) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let value = reader.bool(name, in: section) {
                settings[keyPath: keyPath] = value
            }
        }
    }

    /// One of `options`, written exactly (`ConfigNodeReader.choice`).
    static func choice(
        _ keyPath: WritableKeyPath<Settings, String> & Sendable, options: [String]
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let value = reader.choice(name, in: section, options: options) {
                settings[keyPath: keyPath] = value
            }
        }
    }

    /// A non-empty string; a problem says it expected `expected` (`ConfigNodeReader.string`).
    static func string(
        _ keyPath: WritableKeyPath<Settings, String> & Sendable, describing expected: String
    ) -> ConfigRead {
        ConfigRead { reader, section, name, settings in
            if let value = reader.string(name, in: section, describing: expected) {
                settings[keyPath: keyPath] = value
            }
        }
    }
}
