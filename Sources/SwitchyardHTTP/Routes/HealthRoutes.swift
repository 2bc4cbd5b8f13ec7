import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardGateway
import SwitchyardWire

/// Liveness and readiness probes, under the contract's paths and the aliases other gateways' users know.
///
/// Readiness means this replica can serve: its configuration is loaded and its storage answers. It never depends
/// on upstream health, so one provider's outage cannot take every replica out of its load balancer; the body
/// reports each model's state, and `?model=NAME` answers 503 for that model alone when none of its targets would
/// take a request.
struct HealthRoutes {
    let readiness: @Sendable () async -> String?
    let catalog: ModelCatalog

    func register(on router: Router<GatewayRequestContext>) {
        // Liveness answers the same bytes every time: encoded once, not per probe.
        let alive = JSONValue.object(["status": "ok"]).encoded
        for path in ["/health/live", "/health/liveliness", "/health/liveness", "/healthz"] {
            router.get(RouterPath(path)) { _, _ in Self.json(.ok, encoded: alive) }
        }
        for path in ["/health/ready", "/health/readiness", "/readyz"] {
            router.get(RouterPath(path)) { request, _ in await ready(model: request.uri.queryParameters.get("model")) }
        }
    }

    func ready(model name: String?) async -> Response {
        let health = catalog.health()
        var models: [String: JSONValue] = [:]
        for model in health {
            models[model.name] = [
                "state": .string(model.state), "targets": .integer(Int64(model.targets)), "usable_targets": .integer(Int64(model.usableTargets)),
                "open_circuits": .integer(Int64(model.openCircuits)),
            ]
        }
        if let reason = await readiness() {
            return Self.json(.serviceUnavailable, ["status": "unavailable", "reason": .string(reason), "models": .object(models)])
        }
        guard let name else { return Self.json(.ok, ["status": "ready", "models": .object(models)]) }
        guard let model = health.first(where: { $0.name == name }), let view = models[name] else {
            return Self.json(.notFound, ["status": "unknown_model", "reason": .string("No model named '\(name)' is configured.")])
        }
        if model.usableTargets == 0 {
            return Self.json(
                .serviceUnavailable,
                ["status": "unavailable", "reason": .string("Model '\(name)' has no usable target (every circuit open)."), "model": view])
        }
        return Self.json(.ok, ["status": "ready", "model": view])
    }

    static func json(_ status: HTTPResponse.Status, _ body: JSONValue) -> Response {
        json(status, encoded: body.encoded)
    }

    static func json(_ status: HTTPResponse.Status, encoded body: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
