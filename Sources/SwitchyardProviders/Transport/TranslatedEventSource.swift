import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

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
