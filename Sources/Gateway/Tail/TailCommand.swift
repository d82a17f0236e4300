import ArgumentParser
import Foundation
import Telemetry

/// `gateway tail`: follow the newest rollup (or quarantine) segment across rotations.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Show rollups as they are written (like tail -F, across rotations).",
        discussion: "By default an aligned table with units; --json prints the raw JSON lines for jq."
    )

    @Option(name: .shortAndLong, help: "Configuration file naming the data directory.")
    var config = "config/gateway.yaml"
    @Option(help: "Data directory (overrides the configuration's storage.data_dir).")
    var dataDir: String?
    @Option(help: "Only this tier, e.g. 1m.") var tier: String?
    @Option(help: "Only this park.") var park: String?
    @Option(help: "Only this site.") var site: String?
    @Option(help: "Only this device.") var device: String?
    @Option(help: "Only this metric.") var metric: String?
    @Flag(help: "Print raw JSON lines instead of a table.") var json = false
    @Flag(help: "Follow the quarantine log instead of the rollup log.") var quarantine = false
    @Option(name: .shortAndLong, help: "Show this many earlier records first.") var lines = 10
    @Flag(help: "Print the earlier records and exit instead of following.") var noFollow = false

    func run() throws {
        let directory = try resolveDataDirectory()
        let (subdirectory, base) = quarantine ? ("quarantine", "quarantine") : ("rollups", "rollups")
        let follower = try LogFollower(directory: directory + "/" + subdirectory, baseName: base, backlogLines: lines)
        let filter = TailFilter(tier: tier, park: park, site: site, device: device, metric: metric)
        var output = json ? "" : (quarantine ? RecordTable.quarantineHeader : RecordTable.rollupHeader) + "\n"
        repeat {
            for line in try follower.poll() {
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    output += line + "\n"
                    continue
                }
                guard filter.accepts(record) else { continue }
                if json {
                    output += line + "\n"
                } else {
                    output += (quarantine ? RecordTable.quarantineRow(record) : RecordTable.rollupRow(record)) + "\n"
                }
            }
            if !output.isEmpty {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
            if noFollow { break }
            usleep(200_000)
        } while true
    }

    private func resolveDataDirectory() throws -> String {
        if let dataDir { return dataDir }
        guard FileManager.default.fileExists(atPath: config) else { return "data" }
        do {
            return try ConfigLoader.load(path: config).storage.dataDirectory
        } catch {
            throw ValidationError("cannot read \(config) to find the data directory (use --data-dir):\n\(error)")
        }
    }
}
