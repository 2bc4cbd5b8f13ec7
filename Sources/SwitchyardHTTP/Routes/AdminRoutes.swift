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
        admin.get("/models") { _, _ in AdminJSON.list(services.gateway.catalog.routes.map(AdminJSON.model)) }
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
            return AdminJSON.response(AdminJSON.withSpend(AdminJSON.key(key), administration.spent(by: key)))
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
            return AdminJSON.response(AdminJSON.withSpend(AdminJSON.team(team), administration.spent(by: team)))
        }
        admin.patch("/teams/{id}") { request, context in
            let team = try await administration.updateTeam(id: try context.parameters.require("id"), try await jsonBody(request))
            return AdminJSON.response(AdminJSON.withSpend(AdminJSON.team(team), administration.spent(by: team)))
        }
        admin.post("/cache/purge") { request, _ in try await purgeCache(request) }
        if let reload = services.reload {
            admin.post("/reload") { _, _ in AdminJSON.reload(await reload()) }
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

    /// `POST /admin/cache/purge`, optionally `{"model": "name"}`: empties the response cache, or one model's entries.
    private func purgeCache(_ request: Request) async throws -> Response {
        let body = try await RequestBodyReader.read(request, limit: 1 << 20)
        var model: String?
        if body.readableBytes > 0 {
            guard case .object(let members)? = try? JSONValue(decoding: body) else {
                throw GatewayError.badRequest("The request body must be a JSON object, like {\"model\": \"chat\"}, or empty.", code: "invalid_json")
            }
            if let named = members["model"], !named.isNull {
                guard let name = named.string else { throw GatewayError.badRequest("'model' must be a string.", param: "model") }
                guard services.gateway.catalog.contains(name) else { throw GatewayError.unknownModel(name) }
                model = name
            }
        }
        let purged = try await services.gateway.cache?.purge(model: model) ?? 0
        return AdminJSON.response(["object": "cache.purge", "model": model.map(JSONValue.string) ?? .null, "purged": .integer(Int64(purged))])
    }

    private func jsonBody(_ request: Request) async throws -> JSONValue { try await AdminRequestBody.json(request) }

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
