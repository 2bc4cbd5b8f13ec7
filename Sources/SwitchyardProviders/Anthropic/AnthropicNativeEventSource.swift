import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// Relays Anthropic's own events untouched, for a client that speaks Anthropic too.
struct AnthropicNativeEventSource: ChatEventSource {
    var reader: ServerSentEventReader
    private var stopped = false

    init(reader: ServerSentEventReader) {
        self.reader = reader
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if stopped {
            try await reader.drain()
            return nil
        }
        guard let event = try await reader.next() else { return nil }
        if event.event == "message_stop" { stopped = true }
        if event.event == "error", let payload = try? JSONValue(decoding: event.data) {
            var translator = AnthropicToOpenAIStreamTranslator(includeUsage: false)
            _ = try translator.consume(payload)
        }
        return .native(event)
    }
}
