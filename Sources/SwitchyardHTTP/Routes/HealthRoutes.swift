import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import SwitchyardWire

/// Liveness and readiness probes, under the contract's paths and the aliases other gateways' users know.
struct HealthRoutes {
    let readiness: @Sendable () async -> String?

    func register(on router: Router<GatewayRequestContext>) {
        for path in ["/health/live", "/health/liveliness", "/health/liveness", "/healthz"] {
            router.get(RouterPath(path)) { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        }
        for path in ["/health/ready", "/health/readiness", "/readyz"] {
            router.get(RouterPath(path)) { _, _ in
                if let reason = await readiness() {
                    return Self.json(.serviceUnavailable, #"{"status":"unavailable","reason":\#(String(decoding: JSONString.quoted(reason), as: UTF8.self))}"#)
                }
                return Self.json(.ok, #"{"status":"ready"}"#)
            }
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
