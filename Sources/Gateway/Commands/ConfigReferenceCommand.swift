import ArgumentParser

/// `gateway config-reference` (hidden): prints the key tables of `config/README.md` from the
/// declarations in `ConfigKeys`, so a new or changed key's rows can be pasted into the README
/// instead of written by hand. `ConfigReferenceTests` checks the README against the same tables.
struct ConfigReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-reference",
        abstract: "Print the configuration key tables of config/README.md as Markdown.",
        shouldDisplay: false
    )

    func run() {
        print(ConfigReference.markdown, terminator: "")
    }
}
