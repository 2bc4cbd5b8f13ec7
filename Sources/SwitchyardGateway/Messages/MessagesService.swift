package import NIOCore
package import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// The Anthropic Messages API in front of every model (`/v1/messages`, `/v1/messages/count_tokens`): a request
/// passes untouched to an Anthropic upstream and is translated through the hub for any other, and the answer comes
/// back in Messages form either way.
package struct MessagesService: Sendable {
    package let gateway: Gateway

    package init(gateway: Gateway) {
        self.gateway = gateway
    }

    /// What `create` answers: a message, or its stream of Messages events.
    package enum Created: Sendable {
        case message(Gateway.Routed<ByteBuffer>)
        /// Events of the Messages stream, each as `.native` (a hub chunk never reaches the client of this API).
        case events(Gateway.Routed<ChatEventStream>)
    }

    /// `POST /v1/messages`.
    package func create(_ body: ByteBuffer, caller: Caller?, context: UpstreamContext) async throws -> Created {
        let request = try Self.chatRequest(body, requireMaxTokens: true)
        if request.stream {
            var routed = try await gateway.stream(request, caller: caller, context: context)
            let hubEvents = routed.value
            let model = request.model
            routed.value = ChatEventStream { MessagesEventSource(base: hubEvents.makeAsyncIterator(), model: model) }
            return .events(routed)
        }
        let routed = try await gateway.complete(request, caller: caller, context: context)
        var message = routed.value.body
        if routed.value.dialect != .anthropic {
            guard let completion = try? JSONValue(decoding: message) else {
                throw GatewayError.upstreamUnavailable("The upstream answered with a body that is not JSON.")
            }
            message = OpenAIResponseToAnthropic().translate(completion, model: request.model).encoded
        }
        return .message(
            Gateway.Routed(
                value: message, target: routed.target, attempts: routed.attempts, headroom: routed.headroom, cache: routed.cache, context: routed.context,
                memoriesRecalled: routed.memoriesRecalled, guardrails: routed.guardrails))
    }

    /// `POST /v1/messages/count_tokens`: `{"input_tokens": N}`.
    package func countTokens(_ body: ByteBuffer, caller: Caller?, context: UpstreamContext) async throws -> ByteBuffer {
        let request = try Self.chatRequest(body, requireMaxTokens: false)
        let tokens = try await gateway.countTokens(request, caller: caller, context: context)
        return JSONValue.object(["input_tokens": .integer(Int64(tokens))]).encoded
    }

    /// Validates a Messages body and prepares both its forms: as sent, and translated to the hub (or why it cannot
    /// be, which only matters when the request reaches an upstream that needs the hub).
    static func chatRequest(_ body: ByteBuffer, requireMaxTokens: Bool) throws(GatewayError) -> ChatRequest {
        let validated = try InboundRequest.anthropicMessages(body, requireMaxTokens: requireMaxTokens)
        let native = NativeRequest(dialect: .anthropic, body: body)
        guard let decoded = try? JSONValue(decoding: body) else {
            throw .badRequest("The request body is not valid JSON (it must be UTF-8, with no lone surrogates).", code: "invalid_json")
        }
        do {
            let hub = try AnthropicRequestToOpenAI().translate(decoded)
            return ChatRequest(body: hub.encoded, model: validated.model, stream: validated.stream, native: native)
        } catch {
            return ChatRequest(body: ByteBuffer(), model: validated.model, stream: validated.stream, native: native, hubError: error)
        }
    }
}
