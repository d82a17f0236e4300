import Foundation
import Hummingbird
import Telemetry
import TelemetryIndex

/// The API's handlers: `GET /api/v1/query`, `/api/v1/series`, `/api/v1/devices`, `/healthz`
/// and `/metrics` (documented in docs/http-api.md and openapi.yaml). Index reads run on
/// Dispatch threads, at most `http.max_concurrent_queries` at once.
struct APIRoutes: Sendable {
    let index: RollupIndex?
    let limits: QueryLimits
    let gate: QueryGate
    let silenceMillis: Int64
    let health: GatewayHealth
    let metrics: MetricsExporter
    /// The engine's numbers for `/metrics` and the devices' counts.
    let engine: EngineSource

    func register(on router: Router<BasicRequestContext>) {
        router.get("api/v1/query") { request, _ in await query(request) }
        router.get("api/v1/series") { request, _ in await series(request) }
        router.get("api/v1/devices") { request, _ in await devices(request) }
        router.get("healthz") { _, _ in health.response() }
        router.get("metrics") { _, _ in
            APIResponse.body(
                metrics.render(figures: engine.figures(), progress: health.indexProgress?()),
                contentType: "text/plain; version=0.0.4")
        }
    }

    /// The request's query parameters in order (values percent-decoded).
    private static func parameters(_ request: Request) -> [(name: String, value: String)] {
        request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
    }

    private func query(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        let (response, outcome) = await answer(request, arrival: started)
        metrics.recordQuery(outcome: outcome, duration: ContinuousClock.now - started)
        return response
    }

    private func answer(_ request: Request, arrival: ContinuousClock.Instant) async -> (Response, String) {
        let request = request
        let parsed: QueryRequest
        do {
            parsed = try QueryRequest.parse(Self.parameters(request), nowMillis: Self.nowMillis)
        } catch {
            return (APIError(.badRequest, parameter: error.parameter, error.description).response, "bad_request")
        }
        guard let index else { return (Self.noIndex.response, "unavailable") }
        let limits = self.limits
        let wantsCSV =
            parsed.format == .csv || (parsed.format == nil && (request.headers[.accept] ?? "").contains("text/csv"))
        do {
            // The answer is rendered on the worker too: a week of a site is 200 KB of JSON.
            let outcome = try await gate.run {
                try await QueryWorkers.run {
                    let result = try index.query(parsed, limits: limits, arrival: arrival)
                    return wantsCSV ? Array(result.csv().utf8) : result.json()
                }
            }
            guard let body = outcome else { return (busy.response, "rejected") }
            if wantsCSV { return (APIResponse.body(body, contentType: "text/csv"), "ok") }
            return (APIResponse.json(body), "ok")
        } catch let error as QueryError {
            return (APIError(error).response, error.kind == .badRequest ? "bad_request" : "unavailable")
        } catch {
            return (APIError(.serviceUnavailable, "\(error)").response, "unavailable")
        }
    }

    private func series(_ request: Request) async -> Response {
        let filters: [String: NameFilter]
        do {
            filters = try Self.nameFilters(Self.parameters(request), accepted: ["park", "site", "device", "metric"])
        } catch {
            return error.response
        }
        guard let index else { return Self.noIndex.response }
        return await listing {
            let list = try index.series(
                park: filters["park"] ?? .any, site: filters["site"] ?? .any, device: filters["device"] ?? .any,
                metric: filters["metric"] ?? .any)
            var json = JSONLineBuilder(capacity: 256 * max(1, list.count))
            json.openObject()
            json.key("series")
            json.openArray()
            for entry in list {
                json.openObject()
                Self.names(
                    [
                        ("park", entry.name.park), ("site", entry.name.site), ("device", entry.name.device),
                        ("metric", entry.name.metric),
                    ], to: &json)
                json.key("kind")
                json.string(entry.kind)
                json.key("unit")
                json.string(entry.unit)
                json.key("last_seen")
                if let seen = entry.lastSeen { json.timestamp(millis: seen.millis) } else { json.null() }
                json.key("last_value")
                switch entry.lastSeen?.value {
                case .number(let number)?: json.number(number)
                case .state(let name)?: json.string(String(decoding: name, as: UTF8.self))
                case nil: json.null()
                }
                json.closeObject()
            }
            json.closeArray()
            json.closeObject()
            return json.bytes
        }
    }

    private func devices(_ request: Request) async -> Response {
        let parameters = Self.parameters(request)
        var silence = silenceMillis
        let filters: [String: NameFilter]
        do {
            filters = try Self.nameFilters(
                parameters.filter { $0.name != "silence" }, accepted: ["park", "site", "device", "silence"])
            let given = parameters.filter { $0.name == "silence" }
            if given.count > 1 { throw APIError(.badRequest, parameter: "silence", "silence: given twice; give it once") }
            if let text = given.first?.value {
                switch try? QueryStep.parse(text) {
                case .fixed(let millis)?: silence = millis
                case .days(let days)? where days <= 3_650: silence = Int64(days) * 86_400_000
                default:
                    throw APIError(
                        .badRequest, parameter: "silence",
                        "silence: \"\(text)\" is not a duration like 30s, 5m, 1h or 1d (at most 3650d)")
                }
            }
        } catch let error as APIError {
            return error.response
        } catch {
            return APIError(.badRequest, "\(error)").response
        }
        guard let index else { return Self.noIndex.response }
        let fleet = FleetListing(
            park: filters["park"] ?? .any, site: filters["site"] ?? .any, device: filters["device"] ?? .any,
            silenceMillis: silence)
        let counts = engine.deviceCounts
        return await listing {
            let indexed = try index.devices(park: fleet.park, site: fleet.site, device: fleet.device)
            return fleet.json(indexed: indexed, counts: counts(), nowMillis: Self.nowMillis)
        }
    }

    /// Runs a listing's read and rendering off the concurrency pool, in a slot of the same gate
    /// as queries; an index that cannot be read is a 503.
    private func listing(_ render: @escaping @Sendable () throws -> [UInt8]) async -> Response {
        do {
            guard let body = try await gate.run({ try await QueryWorkers.run(render) }) else {
                return busy.response
            }
            return APIResponse.json(body)
        } catch let error as QueryError {
            return APIError(error).response
        } catch {
            return APIError(.serviceUnavailable, "\(error)").response
        }
    }

    /// Every slot of `http.max_concurrent_queries` is taken.
    private var busy: APIError {
        APIError(
            .serviceUnavailable,
            "\(gate.limit) queries and listings are running (http.max_concurrent_queries); try again shortly")
    }

    private static var nowMillis: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private static let noIndex = APIError(
        .serviceUnavailable, "the query index is off or could not be opened (query.index); see the gateway's log")

    private static func names(_ fields: [(String, [UInt8])], to json: inout JSONLineBuilder) {
        for (name, bytes) in fields {
            json.key(name)
            json.string(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Name filters of the listing endpoints; an unknown or repeated parameter is a 400.
    private static func nameFilters(
        _ parameters: [(name: String, value: String)], accepted: [String]
    ) throws(APIError) -> [String: NameFilter] {
        var filters: [String: NameFilter] = [:]
        for (name, value) in parameters {
            guard accepted.contains(name) else {
                throw APIError(
                    .badRequest, parameter: name,
                    "\(name): not a parameter of this endpoint; expected one of \(accepted.joined(separator: ", "))")
            }
            guard filters[name] == nil else {
                throw APIError(.badRequest, parameter: name, "\(name): given twice; give it once (a comma list selects several)")
            }
            do {
                filters[name] = try NameFilter.parse(value, parameter: name)
            } catch {
                throw APIError(.badRequest, parameter: name, error.description)
            }
        }
        return filters
    }
}
