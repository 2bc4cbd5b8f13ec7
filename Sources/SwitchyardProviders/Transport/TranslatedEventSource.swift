import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// A stream translator from one upstream dialect to the hub, as the event source drives it.
protocol HubStreamTranslator: Sendable {
    /// The hub chunks for one upstream event's JSON.
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue]
    /// Whether this event is the upstream's explicit end of stream.
    func isEnd(_ payload: JSONValue) -> Bool
    /// Chunks owed after the last event (usage, for instance).
    mutating func finalChunks() -> [JSONValue]
    /// Whether a body that ends without the explicit end event was cut short.
    var requiresExplicitEnd: Bool { get }
}

/// Reads an upstream's event stream and hands on the hub chunks each event translates to, then `[DONE]`.
struct TranslatedEventSource<Reader: UpstreamEventReader, Translator: HubStreamTranslator>: ChatEventSource {
    var reader: Reader
    var translator: Translator
    let provider: String
    private var pending: [ChatStreamEvent] = []
    private var pendingIndex = 0
    private var ended = false

    init(reader: Reader, translator: Translator, provider: String) {
        self.reader = reader
        self.translator = translator
        self.provider = provider
    }

    mutating func next() async throws -> ChatStreamEvent? {
        while pendingIndex == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            if ended {
                try await reader.drain()
                return nil
            }
            guard let data = try await reader.nextPayload() else {
                if translator.requiresExplicitEnd {
                    throw GatewayError.upstreamUnavailable("Provider '\(provider)' ended the stream before its final event.")
                }
                finish()
                continue
            }
            let payload: JSONValue
            do {
                payload = try JSONValue(decoding: data)
            } catch {
                throw GatewayError.upstreamUnavailable("Provider '\(provider)' sent a stream event that is not JSON.")
            }
            pending = try translator.chunks(for: payload).map { .chunk($0.encoded) }
            if translator.isEnd(payload) { finish() }
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }

    private mutating func finish() {
        pending.append(contentsOf: translator.finalChunks().map { .chunk($0.encoded) })
        pending.append(.done)
        ended = true
    }
}

extension AnthropicToOpenAIStreamTranslator: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] { try consume(payload) }
    func isEnd(_ payload: JSONValue) -> Bool { payload["type"]?.string == "message_stop" }
    mutating func finalChunks() -> [JSONValue] { [] }
    var requiresExplicitEnd: Bool { true }
}

extension GeminiToOpenAIStreamTranslator: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] {
        if let error = payload["error"] { throw GeminiErrors.gatewayError(error) }
        return consume(payload)
    }
    func isEnd(_ payload: JSONValue) -> Bool { false }
    mutating func finalChunks() -> [JSONValue] { finish() }
    var requiresExplicitEnd: Bool { false }
}

/// Gemini's error objects.
enum GeminiErrors {
    static func gatewayError(_ error: JSONValue) -> GatewayError {
        let status = error["code"]?.int ?? 500
        var gatewayError = GatewayError(
            status: status, kind: GatewayError.kind(forStatus: status), code: error["status"]?.string,
            message: error["message"]?.string ?? "The upstream stream failed.")
        gatewayError.upstreamType = error["status"]?.string
        return gatewayError
    }
}
