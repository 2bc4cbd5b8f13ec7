import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The Anthropic Messages API in front of every model: reads the request, hands it to ``MessagesService``, and
/// writes its answer (a message, or its events as they come).
struct AnthropicRoutes {
    let services: HTTPServices
    var messages: MessagesService { MessagesService(gateway: services.gateway) }

    /// The data-plane route, which ``GatewayRouter`` serves from ``GatewayResponder``'s table and the router both.
    var dataPlanePosts: [(path: String, route: GatewayResponder.Handler)] {
        [("/v1/messages", { request, context in try await create(request, context: context) })]
    }

    /// Registers the routes other than ``dataPlanePosts``.
    func register(on router: Router<GatewayRequestContext>) {
        router.post("/v1/messages/count_tokens") { request, context in
            let body = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
            return OpenAIRoutes.json(try await messages.countTokens(body, caller: context.caller, context: context.upstreamContext))
        }
    }

    func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
        let upstream = context.upstreamContext
        switch try await messages.create(body, caller: context.caller, context: upstream) {
        case .events(let routed):
            var response = ServerSentEventsResponse.make(
                routed.value, encoder: AnthropicStreamEncoder(), departure: context.departure, journal: context.journal, logger: upstream.logger)
            OpenAIRoutes.stampRouting(routed, on: &response)
            return response
        case .message(let routed):
            context.journal?.captureResponse(routed.value)
            var response = OpenAIRoutes.json(routed.value)
            OpenAIRoutes.stampRouting(routed, on: &response)
            return response
        }
    }
}
