import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The admin API; every route needs the master key.
struct AdminRoutes {
    let services: HTTPServices

    func register(on router: Router<GatewayRequestContext>) {
        let admin = router.group("/admin").add(middleware: MasterKeyRequirement())
        admin.get("/targets") { _, _ in targets() }
        let administration = services.administration
        admin.post("/keys") { request, _ in
            let (key, secret) = try await administration.createKey(try await jsonBody(request))
            var view = AdminJSON.key(key)
            view["key"] = .string(secret)
            return AdminJSON.response(.object(view), status: .created)
        }
        admin.get("/keys") { _, _ in AdminJSON.list(try await administration.keys().map { .object(AdminJSON.key($0)) }) }
        admin.get("/keys/{id}") { _, context in
            let key = try await administration.key(id: try context.parameters.require("id"))
            var view = AdminJSON.key(key)
            view["spend_usd"] = .number(administration.spent(by: key))
            return AdminJSON.response(.object(view))
        }
        admin.patch("/keys/{id}") { request, context in
            let key = try await administration.updateKey(id: try context.parameters.require("id"), try await jsonBody(request))
            return AdminJSON.response(.object(AdminJSON.key(key)))
        }
        admin.post("/keys/{id}/rotate") { _, context in
            let (key, secret) = try await administration.rotateKey(id: try context.parameters.require("id"))
            var view = AdminJSON.key(key)
            view["key"] = .string(secret)
            return AdminJSON.response(.object(view))
        }
        admin.delete("/keys/{id}") { _, context in
            try await administration.deleteKey(id: try context.parameters.require("id"))
            return Response(status: .noContent)
        }
        admin.post("/teams") { request, _ in
            AdminJSON.response(.object(AdminJSON.team(try await administration.createTeam(try await jsonBody(request)))), status: .created)
        }
        admin.get("/teams") { _, _ in AdminJSON.list(try await administration.teams().map { .object(AdminJSON.team($0)) }) }
        admin.get("/teams/{id}") { _, context in
            let team = try await administration.team(id: try context.parameters.require("id"))
            var view = AdminJSON.team(team)
            view["spend_usd"] = .number(administration.spent(by: team))
            return AdminJSON.response(.object(view))
        }
        admin.get("/usage") { request, _ in
            let totals = try await administration.usage(try UsageQueryReader.read(request.uri.queryParameters))
            return AdminJSON.list(totals.map(AdminJSON.usage))
        }
        admin.delete("/teams/{id}") { _, context in
            try await administration.deleteTeam(id: try context.parameters.require("id"))
            return Response(status: .noContent)
        }
        let requestLog = services.requestLog
        admin.get("/logs") { request, _ in
            guard let requestLog else {
                throw GatewayError(
                    status: 404, kind: .notFound, code: "request_log_off", message: "The request log is off (logging.request_log: false).")
            }
            var query = try LogQueryReader.read(request.uri.queryParameters)
            // One row more than asked tells whether another page follows.
            let limit = query.limit
            query.limit += 1
            let rows = try await requestLog.logs(query)
            return AdminJSON.logPage(Array(rows.prefix(limit)), hasMore: rows.count > limit)
        }
    }

    private func jsonBody(_ request: Request) async throws -> JSONValue {
        let body = try await RequestBodyReader.read(request, limit: 1 << 20)
        guard let value = try? JSONValue(decoding: body) else {
            throw GatewayError.badRequest("The request body is not valid JSON.", code: "invalid_json")
        }
        return value
    }

    /// Each target's live state: circuit, requests in flight, latency, error rate, last error.
    func targets() -> Response {
        let now = ContinuousClock.now
        let catalog = services.gateway.catalog
        let data = catalog.monitors.map { monitor in
            TargetView(monitor.snapshot(at: now), models: catalog.models(using: monitor.target), now: now)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(["data": data])) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct TargetView: Encodable {
        var provider: String
        var model: String
        var models: [String]
        var state: String
        var usable: Bool
        var inFlight: Int
        var latencyMs: Double?
        var timeToFirstTokenMs: Double?
        var requests: Int
        var failures: Int
        var errorRate: Double
        var reopensInSeconds: Double?
        var lastError: String?
        var lastErrorSecondsAgo: Double?

        init(_ snapshot: TargetMonitor.Snapshot, models: [String], now: ContinuousClock.Instant) {
            provider = snapshot.target.provider
            model = snapshot.target.model
            self.models = models
            switch snapshot.state {
            case .closed: state = "closed"
            case .halfOpen: state = "half_open"
            case .open(let until):
                state = "open"
                reopensInSeconds = max(0, Double((until - now).wholeNanoseconds) / 1e9)
            }
            usable = snapshot.usable
            inFlight = snapshot.inFlight
            latencyMs = snapshot.latency.map { $0 * 1000 }
            timeToFirstTokenMs = snapshot.timeToFirstToken.map { $0 * 1000 }
            requests = snapshot.requests
            failures = snapshot.failures
            errorRate = snapshot.errorRate
            lastError = snapshot.lastError
            lastErrorSecondsAgo = snapshot.lastErrorAge.map { Double($0.wholeNanoseconds) / 1e9 }
        }

        enum CodingKeys: String, CodingKey {
            case provider, model, models, state, usable, requests, failures
            case inFlight = "in_flight"
            case latencyMs = "latency_ms"
            case timeToFirstTokenMs = "time_to_first_token_ms"
            case errorRate = "error_rate"
            case reopensInSeconds = "reopens_in_seconds"
            case lastError = "last_error"
            case lastErrorSecondsAgo = "last_error_seconds_ago"
        }
    }
}

/// Lets only the master key through.
struct MasterKeyRequirement: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.caller == .master else {
            throw GatewayError(status: 403, kind: .permission, code: "admin_only", message: "The admin API needs the master key.")
        }
        return try await next(request, context)
    }
}

/// The admin API's JSON views: secrets never appear, digests neither.
enum AdminJSON {
    static func key(_ key: VirtualKey) -> [String: JSONValue] {
        var view = limits(key.limits)
        view["id"] = .string(key.id)
        view["name"] = .string(key.name)
        view["prefix"] = .string(key.prefix)
        view["team"] = key.teamID.map(JSONValue.string) ?? .null
        view["models"] = key.models.map { .array($0.map(JSONValue.string)) } ?? .null
        view["expires_at"] = key.expiresAt.map { .string($0.ISO8601Format()) } ?? .null
        view["metadata"] = .object(key.metadata.mapValues(JSONValue.string))
        view["created_at"] = .string(key.createdAt.ISO8601Format())
        return view
    }

    static func team(_ team: Team) -> [String: JSONValue] {
        var view = limits(team.limits)
        view["id"] = .string(team.id)
        view["name"] = .string(team.name)
        view["models"] = team.models.map { .array($0.map(JSONValue.string)) } ?? .null
        view["created_at"] = .string(team.createdAt.ISO8601Format())
        return view
    }

    static func limits(_ limits: UsageLimits) -> [String: JSONValue] {
        [
            "rpm": limits.rpm.map { .integer(Int64($0)) } ?? .null, "tpm": limits.tpm.map { .integer(Int64($0)) } ?? .null,
            "max_parallel": limits.maxParallel.map { .integer(Int64($0)) } ?? .null,
            "max_budget_usd": limits.maxBudgetUSD.map(JSONValue.number) ?? .null,
            "soft_budget_usd": limits.softBudgetUSD.map(JSONValue.number) ?? .null,
            "token_quota": limits.tokenQuota.map { .integer(Int64($0)) } ?? .null,
            "budget_period": limits.budgetPeriod.map { .string($0.rawValue) } ?? .null,
        ]
    }

    static func usage(_ totals: UsageTotals) -> JSONValue {
        var view: [String: JSONValue] = [
            "requests": .integer(Int64(totals.requests)), "prompt_tokens": .integer(Int64(totals.promptTokens)),
            "completion_tokens": .integer(Int64(totals.completionTokens)), "cached_tokens": .integer(Int64(totals.cachedTokens)),
            "total_tokens": .integer(Int64(totals.promptTokens + totals.completionTokens)), "cost_usd": .number(totals.costUSD),
        ]
        if let group = totals.group { view["group"] = .string(group) }
        return .object(view)
    }

    static func list(_ items: [JSONValue]) -> Response { response(["data": .array(items)]) }

    /// A page of the request log: `data`, `has_more`, and `next_cursor` to pass as `cursor` for the next page.
    static func logPage(_ rows: [RequestLogEntry], hasMore: Bool) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        struct Page: Encodable {
            var data: [RequestLogEntry]
            var hasMore: Bool
            var nextCursor: String?
            enum CodingKeys: String, CodingKey {
                case data
                case hasMore = "has_more"
                case nextCursor = "next_cursor"
            }
        }
        let page = Page(data: rows, hasMore: hasMore, nextCursor: hasMore ? rows.last?.id : nil)
        let body = (try? encoder.encode(page)) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: value.encoded))
    }
}

/// Reads `GET /admin/logs`'s query: `key_id`, `team_id`, `model`, `status`, `request_id`, `from`, `to`,
/// `limit` (1 to 1000, default 100) and `cursor` (a page's `next_cursor`).
enum LogQueryReader {
    static func read(_ parameters: Parameters) throws(GatewayError) -> RequestLogQuery {
        let filter = try AdminFilter.read(parameters)
        var query = RequestLogQuery(keyID: filter.keyID, teamID: filter.teamID, model: filter.model, from: filter.from, to: filter.to)
        query.requestID = parameters.get("request_id")
        query.status = try QueryInteger.read("status", in: parameters, range: 100...599)
        if let limit = try QueryInteger.read("limit", in: parameters, range: 1...1000) { query.limit = limit }
        if let cursor = parameters.get("cursor") {
            guard RequestLogEntry.isID(cursor) else {
                throw .badRequest("'cursor' must be a 'next_cursor' from an earlier page.", param: "cursor")
            }
            query.cursor = cursor
        }
        return query
    }
}

/// Reads `GET /admin/usage`'s query: `key_id`, `team_id`, `model`, `from`, `to` (ISO-8601 date or date-time, UTC)
/// and `group_by` (key, team, model or day).
enum UsageQueryReader {
    static func read(_ parameters: Parameters) throws(GatewayError) -> UsageQuery {
        let filter = try AdminFilter.read(parameters)
        var query = UsageQuery(keyID: filter.keyID, teamID: filter.teamID, model: filter.model, from: filter.from, to: filter.to)
        if let grouping = parameters.get("group_by") {
            guard let value = UsageQuery.Grouping(rawValue: grouping) else {
                throw .badRequest("'group_by' must be key, team, model or day.", param: "group_by")
            }
            query.groupBy = value
        }
        return query
    }

}

/// The filters the usage and log queries share: `key_id`, `team_id`, `model`, and a time range `from`/`to`
/// (ISO-8601 date or date-time, UTC).
struct AdminFilter {
    var keyID: String?
    var teamID: String?
    var model: String?
    var from: Date?
    var to: Date?

    static func read(_ parameters: Parameters) throws(GatewayError) -> AdminFilter {
        AdminFilter(
            keyID: parameters.get("key_id"), teamID: parameters.get("team_id"), model: parameters.get("model"),
            from: try date(parameters.get("from"), name: "from"), to: try date(parameters.get("to"), name: "to"))
    }

    private static func date(_ text: String?, name: String) throws(GatewayError) -> Date? {
        guard let text else { return nil }
        // Years 1 to 9999: what the stored timestamps can say.
        if let date = ISO8601Input.date(text), (-62_135_596_800...253_402_300_799).contains(date.timeIntervalSince1970) { return date }
        throw .badRequest("'\(name)' must be an ISO-8601 date or date-time between the years 1 and 9999.", param: name)
    }
}
