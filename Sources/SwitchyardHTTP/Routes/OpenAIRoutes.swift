import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The OpenAI-compatible data plane: chat completions, embeddings and the model list.
struct OpenAIRoutes {
    let services: HTTPServices

    /// Served with and without the /v1 prefix, as clients configured with either base URL expect.
    static let prefixes = ["/v1", ""]

    /// The data-plane routes, which ``GatewayRouter`` serves from ``GatewayResponder``'s table and the router both.
    var dataPlanePosts: [(path: String, route: GatewayResponder.Handler)] {
        Self.prefixes.flatMap { prefix -> [(path: String, route: GatewayResponder.Handler)] in
            [
                ("\(prefix)/chat/completions", { request, context in try await chatCompletions(request, context: context) }),
                ("\(prefix)/embeddings", { request, context in try await embeddings(request, context: context) }),
            ]
        }
    }

    /// Registers the routes other than ``dataPlanePosts``.
    func register(on router: Router<GatewayRequestContext>) {
        for prefix in Self.prefixes {
            router.get(RouterPath("\(prefix)/models")) { _, context in
                listModels(for: context.caller)
            }
            router.get(RouterPath("\(prefix)/models/**")) { _, context in
                try model(named: context.parameters.getCatchAll().joined(separator: "/"), for: context.caller)
            }
        }
    }

    func chatCompletions(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
        var chatRequest = try InboundRequest.chat(body)
        let upstream = context.upstreamContext
        // In a conversation: its history goes first, and the turn is added before the answer's last byte.
        var turn: ConversationService.ChatTurn?
        if let id = request.headers[.switchyardConversation] {
            guard let conversations = services.conversations else {
                throw GatewayError.badRequest("Conversations are not served by this gateway.", param: "x-switchyard-conversation")
            }
            turn = try await conversations.chatTurn(id, request: chatRequest, caller: context.caller)
            chatRequest = turn?.request ?? chatRequest
        }
        // With knowledge: the chunks the newest user message finds go before it (not into the conversation).
        var knowledge: (base: KnowledgeBase, stores: String)?
        if let stores = request.headers[.switchyardKnowledge] {
            guard let base = services.vectorStores?.knowledge else {
                throw GatewayError.badRequest("Knowledge bases are not served by this gateway.", param: "x-switchyard-knowledge")
            }
            // A request the pipeline will refuse is not searched (the query's embedding is paid for).
            try context.caller?.authorize(model: chatRequest.model)
            guard services.gateway.catalog.contains(chatRequest.model) else { throw GatewayError.unknownModel(chatRequest.model) }
            knowledge = (base, stores)
        }
        if chatRequest.stream {
            var found: Int?
            if let knowledge {
                (chatRequest, found) = try await knowledge.base.augment(chatRequest, header: knowledge.stores, caller: context.caller, context: upstream)
            }
            var routed = try await services.gateway.stream(chatRequest, caller: context.caller, context: upstream)
            if let turn, let conversations = services.conversations { routed.value = conversations.recording(turn, stream: routed.value) }
            var response = ServerSentEventsResponse.make(
                routed.value, encoder: OpenAIStreamEncoder(), departure: context.departure, journal: context.journal, logger: upstream.logger)
            Self.stampRouting(routed, on: &response)
            if let found { response.headers.append(HTTPField(name: .switchyardKnowledge, value: "results=\(found)")) }
            return response
        }
        return try await services.idempotency.respond(to: request, body: body, caller: context.caller) {
            var chatRequest = chatRequest
            var found: Int?
            if let knowledge {
                (chatRequest, found) = try await knowledge.base.augment(chatRequest, header: knowledge.stores, caller: context.caller, context: upstream)
            }
            let routed = try await services.gateway.complete(chatRequest, caller: context.caller, context: upstream)
            if let turn, let conversations = services.conversations {
                guard let completion = try? JSONValue(decoding: routed.value.body) else {
                    throw GatewayError.upstreamUnavailable("The upstream answered with a body that is not JSON.")
                }
                try await conversations.record(turn, completion: completion)
            }
            context.journal?.captureResponse(routed.value.body)
            var response = Self.json(routed.value.body)
            Self.stampRouting(routed, on: &response)
            if let found { response.headers.append(HTTPField(name: .switchyardKnowledge, value: "results=\(found)")) }
            return IdempotentAnswer(response: response, replayableBody: routed.value.body)
        }
    }

    /// `x-switchyard-target` (the provider/model that answered), `x-switchyard-attempts`, `x-switchyard-cache`, and the caller's
    /// `x-ratelimit-*` headroom in OpenAI's names.
    static func stampRouting<Value>(_ routed: Gateway.Routed<Value>, on response: inout Response) {
        // Appended, not set: the response is new, and setting searches the fields for each name.
        if let target = routed.target { response.headers.append(HTTPField(name: .switchyardTarget, value: target.label)) }
        response.headers.append(HTTPField(name: .switchyardAttempts, value: String(routed.attempts)))
        if let cache = routed.cache { response.headers.append(HTTPField(name: .switchyardCache, value: cache.rawValue)) }
        if let fit = routed.context { response.headers.append(HTTPField(name: .switchyardContext, value: fit.header)) }
        if let recalled = routed.memoriesRecalled { response.headers.append(HTTPField(name: .switchyardMemory, value: "recalled=\(recalled)")) }
        if let report = routed.guardrails, !report.isEmpty { response.headers.append(HTTPField(name: .switchyardGuardrails, value: report.header)) }
        guard let headroom = routed.headroom else { return }
        func add(_ name: HTTPField.Name, _ value: String?) {
            if let value { response.headers.append(HTTPField(name: name, value: value)) }
        }
        add(.rateLimitRequests, headroom.requestLimit.map { String($0) })
        add(.rateLimitRemainingRequests, headroom.remainingRequests.map { String($0) })
        add(.rateLimitTokens, headroom.tokenLimit.map { String($0) })
        add(.rateLimitRemainingTokens, headroom.remainingTokens.map { String($0) })
        add(.rateLimitResetRequests, headroom.requestsResetSeconds.map { "\($0)s" })
        add(.rateLimitResetTokens, headroom.tokensResetSeconds.map { "\($0)s" })
    }

    func embeddings(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
        let embeddingRequest = try InboundRequest.embedding(body)
        let routed = try await services.gateway.embed(embeddingRequest, caller: context.caller, context: context.upstreamContext)
        context.journal?.captureResponse(routed.value.body)
        var response = Self.json(routed.value.body)
        Self.stampRouting(routed, on: &response)
        return response
    }

    /// The configured models this caller may use.
    func listModels(for caller: Caller?) -> Response {
        let routes = services.gateway.catalog.routes.filter { caller?.allows(model: $0.name) ?? false }
        let list = OpenAIModelList(data: routes.map(modelEntry))
        return Self.json(ByteBuffer(bytes: (try? JSONEncoder().encode(list)) ?? Data()))
    }

    func model(named name: String, for caller: Caller?) throws -> Response {
        guard let route = services.gateway.catalog.routes.first(where: { $0.name == name }), caller?.allows(model: name) ?? false else {
            throw GatewayError.unknownModel(name)
        }
        return Self.json(ByteBuffer(bytes: (try? JSONEncoder().encode(modelEntry(route))) ?? Data()))
    }

    private func modelEntry(_ route: ModelRoute) -> OpenAIModel {
        OpenAIModel(id: route.name, created: services.configurationLoadedAt, ownedBy: "switchyard")
    }

    static func json(_ body: ByteBuffer) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        // Room for what the gateway adds (routing, rate limits, request id, overhead, date, server) without
        // growing the fields one reallocation at a time.
        headers.reserveCapacity(16)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
