import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Reads an OpenAI chat completion stream (`data: {chunk}` events ending with `data: [DONE]`) event by event.
struct OpenAIEventSource: ChatEventSource {
    var reader: ServerSentEventReader
    var sawDone = false

    mutating func next() async throws -> ChatStreamEvent? {
        if sawDone {
            try await reader.drain()
            return nil
        }
        guard let event = try await reader.next() else { return nil }
        if event.isDoneMarker {
            sawDone = true
            return .done
        }
        return .chunk(event.data)
    }
}
