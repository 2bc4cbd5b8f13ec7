import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardTranslation
import SwitchyardWire

/// The Anthropic Messages API in front of every model: requests are translated to the hub dialect for other
/// upstreams, and pass through untouched to Anthropic upstreams.
struct AnthropicRoutes {
    let services: HTTPServices

    func register(on router: Router<GatewayRequestContext>) {
        router.post("/v1/messages") { request, context in try await messages(request, context: context) }
        router.post("/v1/messages/count_tokens") { request, context in try await countTokens(request, context: context) }
    }

    func messages(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let chatRequest = try await readRequest(request, requireMaxTokens: true, journal: context.journal)
        let upstream = context.upstreamContext
        if chatRequest.stream {
            let routed = try await services.gateway.stream(chatRequest, caller: context.caller, context: upstream)
            var response = ServerSentEventsResponse.make(
                routed.value, encoder: AnthropicStreamEncoder(model: chatRequest.model), departure: context.departure, journal: context.journal,
                logger: upstream.logger)
            OpenAIRoutes.stampRouting(routed, on: &response)
            return response
        }
        let routed = try await services.gateway.complete(chatRequest, caller: context.caller, context: upstream)
        var body = routed.value.body
        if routed.value.dialect != .anthropic {
            guard let completion = try? JSONValue(decoding: body) else {
                throw GatewayError.upstreamUnavailable("The upstream answered with a body that is not JSON.")
            }
            body = OpenAIResponseToAnthropic().translate(completion, model: chatRequest.model).encoded
        }
        context.journal?.captureResponse(body)
        var response = OpenAIRoutes.json(body)
        OpenAIRoutes.stampRouting(routed, on: &response)
        return response
    }

    func countTokens(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let chatRequest = try await readRequest(request, requireMaxTokens: false, journal: context.journal)
        let tokens = try await services.gateway.countTokens(chatRequest, caller: context.caller, context: context.upstreamContext)
        return OpenAIRoutes.json(JSONValue.object(["input_tokens": .integer(Int64(tokens))]).encoded)
    }

    /// Validates a Messages body and prepares both its forms: as sent, and translated to the hub.
    private func readRequest(_ request: Request, requireMaxTokens: Bool, journal: RequestJournal?) async throws -> ChatRequest {
        let body = try await RequestBodyReader.read(request, limit: services.maxBodyBytes, capturingInto: journal)
        let validated = try InboundRequest.anthropicMessages(body, requireMaxTokens: requireMaxTokens)
        let native = NativeRequest(dialect: .anthropic, body: body)
        guard let decoded = try? JSONValue(decoding: body) else {
            throw GatewayError.badRequest("The request body is not valid JSON (it must be UTF-8, with no lone surrogates).", code: "invalid_json")
        }
        do {
            let hub = try AnthropicRequestToOpenAI().translate(decoded)
            return ChatRequest(body: hub.encoded, model: validated.model, stream: validated.stream, native: native)
        } catch {
            return ChatRequest(body: ByteBuffer(), model: validated.model, stream: validated.stream, native: native, hubError: error)
        }
    }
}

/// Anthropic's stream: `event: <type>` / `data: {...}` frames. Native events pass as they came (with the public
/// model name); hub chunks are translated.
struct AnthropicStreamEncoder: ClientStreamEncoder {
    private var translator: OpenAIToAnthropicStreamTranslator
    private var sawNative = false

    init(model: String) {
        translator = OpenAIToAnthropicStreamTranslator(model: model)
    }

    mutating func frames(for event: ChatStreamEvent) throws -> [ByteBuffer] {
        switch event {
        case .chunk(let data):
            guard let chunk = try? JSONValue(decoding: data) else {
                throw GatewayError.upstreamUnavailable("The upstream sent a stream chunk that is not JSON.")
            }
            return translator.consume(chunk).map(Self.frame)
        case .done:
            return []
        case .native(var native):
            sawNative = true
            if native.event == "message_start", case .object(var payload)? = try? JSONValue(decoding: native.data),
                case .object(var message)? = payload["message"]
            {
                message["model"] = .string(translator.model)
                payload["message"] = .object(message)
                native.data = JSONValue.object(payload).encoded
            }
            return [native.encoded]
        }
    }

    mutating func closingFrames() -> [ByteBuffer] {
        sawNative ? [] : translator.finish().map(Self.frame)
    }

    func errorFrame(_ error: GatewayError) -> ByteBuffer {
        ServerSentEvent(event: "error", data: AnthropicErrorRendering.body(for: error)).encoded
    }

    static func frame(_ event: JSONValue) -> ByteBuffer {
        ServerSentEvent(event: event["type"]?.string, data: event.encoded).encoded
    }
}
