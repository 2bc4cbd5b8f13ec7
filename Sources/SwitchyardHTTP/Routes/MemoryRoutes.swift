import Hummingbird
import SwitchyardCore
import SwitchyardGateway

/// Long-term memory: `GET /v1/memories?user=`, `DELETE /v1/memories/{id}`, `DELETE /v1/memories?user=`.
struct MemoryRoutes {
    let memories: MemoryService

    func register(on router: Router<GatewayRequestContext>) {
        for prefix in ["/v1", ""] {
            router.get(RouterPath("\(prefix)/memories")) { request, context in
                AdminJSON.response(try await memories.list(user: request.uri.queryParameters.get("user"), caller: context.caller))
            }
            router.delete(RouterPath("\(prefix)/memories")) { request, context in
                AdminJSON.response(try await memories.forget(user: request.uri.queryParameters.get("user"), caller: context.caller))
            }
            router.delete(RouterPath("\(prefix)/memories/{id}")) { _, context in
                AdminJSON.response(try await memories.delete(id: try context.parameters.require("id"), caller: context.caller))
            }
        }
    }
}
