import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway

/// The admin API; every route needs the master key.
struct AdminRoutes {
    let services: HTTPServices

    func register(on router: Router<GatewayRequestContext>) {
        let admin = router.group("/admin").add(middleware: MasterKeyRequirement())
        admin.get("/targets") { _, _ in targets() }
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
