import Hummingbird
import SwitchyardWire
import SwitchyardGateway

/// `GET /v1/compatibility`: the gateway's ``CompatibilityManifest``.
struct CompatibilityRoutes {
    func register(on router: Router<GatewayRequestContext>) {
        let manifest = CompatibilityManifest.document.encoded
        for path in ["/v1/compatibility", "/compatibility"] {
            router.get(RouterPath(path)) { _, _ in OpenAIRoutes.json(manifest) }
        }
    }
}
