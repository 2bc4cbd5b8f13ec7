import NIOCore
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// A routed chat stream as Messages events: hub chunks are translated, an Anthropic upstream's own events pass as
/// they came (with the public model name in `message_start`), and the closing events follow the last chunk.
struct MessagesEventSource: ChatEventSource {
    private var base: ChatEventStream.AsyncIterator
    private var translator: OpenAIToAnthropicStreamTranslator
    private var sawNative = false
    private var pending: [ServerSentEvent] = []
    private var ended = false

    init(base: ChatEventStream.AsyncIterator, model: String) {
        self.base = base
        translator = OpenAIToAnthropicStreamTranslator(model: model)
    }

    mutating func next() async throws -> ChatStreamEvent? {
        while pending.isEmpty {
            if ended { return nil }
            guard let event = try await base.next() else {
                ended = true
                if !sawNative { pending = translator.finish().map(Self.event) }
                continue
            }
            pending = try events(for: event)
        }
        return .native(pending.removeFirst())
    }

    mutating func abandon() { base.abandon() }

    private mutating func events(for event: ChatStreamEvent) throws(GatewayError) -> [ServerSentEvent] {
        switch event {
        case .chunk(let data):
            guard let chunk = try? JSONValue(decoding: data) else {
                throw .upstreamUnavailable("The upstream sent a stream chunk that is not JSON.")
            }
            return translator.consume(chunk).map(Self.event)
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
            return [native]
        }
    }

    static func event(_ payload: JSONValue) -> ServerSentEvent {
        ServerSentEvent(event: payload["type"]?.string, data: payload.encoded)
    }
}
