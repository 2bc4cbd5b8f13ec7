import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway

/// The OpenAI Conversations API: conversations and their items, per tenant.
struct ConversationRoutes {
    let services: HTTPServices
    let conversations: ConversationService

    func register(on router: Router<GatewayRequestContext>) {
        for prefix in ["/v1", ""] {
            router.post(RouterPath("\(prefix)/conversations")) { request, context in
                AdminJSON.response(try await conversations.create(try await body(of: request, context: context), caller: context.caller))
            }
            router.get(RouterPath("\(prefix)/conversations/{id}")) { _, context in
                AdminJSON.response(try await conversations.retrieve(try context.parameters.require("id"), caller: context.caller))
            }
            router.post(RouterPath("\(prefix)/conversations/{id}")) { request, context in
                let id = try context.parameters.require("id")
                return AdminJSON.response(try await conversations.update(id, body: try await body(of: request, context: context), caller: context.caller))
            }
            router.delete(RouterPath("\(prefix)/conversations/{id}")) { _, context in
                AdminJSON.response(try await conversations.delete(try context.parameters.require("id"), caller: context.caller))
            }
            router.post(RouterPath("\(prefix)/conversations/{id}/items")) { request, context in
                let id = try context.parameters.require("id")
                return AdminJSON.response(try await conversations.addItems(id, body: try await body(of: request, context: context), caller: context.caller))
            }
            router.get(RouterPath("\(prefix)/conversations/{id}/items")) { request, context in
                let page = try ItemPageQuery(request.uri.queryParameters)
                let items = try await conversations.items(
                    try context.parameters.require("id"), caller: context.caller, after: page.after, limit: page.limit, ascending: page.ascending)
                return AdminJSON.response(items)
            }
            router.get(RouterPath("\(prefix)/conversations/{id}/items/{item}")) { _, context in
                let id = try context.parameters.require("id")
                return AdminJSON.response(try await conversations.item(id, itemID: try context.parameters.require("item"), caller: context.caller))
            }
            router.delete(RouterPath("\(prefix)/conversations/{id}/items/{item}")) { _, context in
                let id = try context.parameters.require("id")
                return AdminJSON.response(try await conversations.deleteItem(id, itemID: try context.parameters.require("item"), caller: context.caller))
            }
        }
    }

    private func body(of request: Request, context: GatewayRequestContext) async throws -> ByteBuffer {
        try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
    }
}
