import ArgumentParser
import Foundation
import TelemetryIndex

/// `gateway query`: the HTTP API's query on the command line, read straight from a data
/// directory's index (no server needed, also beside a running gateway).
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query aggregates from the index (the same parameters as GET /api/v1/query).",
        discussion: """
            Examples:
              gateway query --metric power_kw --site f03 --step 1h --from -24h --agg mean,max
              gateway query --metric energy_kwh --group-by site --step 1d --tz Asia/Ho_Chi_Minh --from -7d --agg increase
              gateway query --metric power_kw --group-by site --step 1h --from -24h --agg p50,p95,q0.999
            Names take exact values, * globs or comma lists. Times are RFC 3339 or relative (-24h, -7d, now).
            """
    )

    @OptionGroup var options: DataDirectoryOptions
    // `.unconditional` so that relative times such as -24h are values, not options.
    @Option(parsing: .unconditional, help: "Start: RFC 3339 or relative (-24h, -7d, now). Default: an hour before now.")
    var from: String?
    @Option(parsing: .unconditional, help: "End (exclusive): RFC 3339 or relative. Default: now.") var to: String?
    @Option(help: "Parks: names, * globs or a comma list.") var park: String?
    @Option(help: "Sites.") var site: String?
    @Option(help: "Devices.") var device: String?
    @Option(help: "Metrics.") var metric: String?
    @Option(help: "Bucket width: 10s, 1m, 5m, 1h, 1d, … (a multiple of a stored tier). Default 1m.") var step: String?
    @Option(help: "IANA time zone that 1d and longer steps follow. Default UTC.") var tz: String?
    @Option(help: "device (default), site, park or none.") var groupBy: String?
    @Option(
        help: """
            Comma list of count, sum, min, max, mean, stddev, first, last, increase, rate, state_ms, state_share, \
            transitions, availability, longest_fault_ms (states), and the quantiles p1 to p99 or q0.<digits> (gauges).
            """)
    var agg: String?
    @Option(help: "table (default), json or csv.") var format = "table"

    func validate() throws {
        guard ["table", "json", "csv"].contains(format) else {
            throw ValidationError("--format: expected table, json or csv, got \"\(format)\"")
        }
    }

    func run() throws {
        let (dataDirectory, settings, _) = try options.resolve()
        let given: [(String, String?)] = [
            ("from", from), ("to", to), ("park", park), ("site", site), ("device", device), ("metric", metric),
            ("step", step), ("tz", tz), ("group_by", groupBy), ("agg", agg),
        ]
        let parameters = given.compactMap { name, value in value.map { (name: name, value: $0) } }
        let request: QueryRequest
        do {
            request = try QueryRequest.parse(parameters, nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
        } catch {
            throw ValidationError(
                "--\(error.parameter.replacingOccurrences(of: "_", with: "-")): \(error.problem); "
                    + "expected \(error.expected)")
        }
        let index = try RollupIndex.openForReading(
            path: settings.indexPath(dataDirectory: dataDirectory), cacheKiB: Int(settings.cacheBytes >> 10))
        defer { try? index.close() }
        let result = try index.query(
            request, limits: QueryLimits(maxPoints: settings.maxPoints, timeout: .milliseconds(settings.timeoutMillis)))
        switch format {
        case "json": FileHandle.standardOutput.write(Data(result.json() + [UInt8(ascii: "\n")]))
        case "csv": FileHandle.standardOutput.write(Data(result.csv().utf8))
        default: FileHandle.standardOutput.write(Data(QueryTable(result).text.utf8))
        }
    }
}
