import SwitchyardCore
import SwitchyardWire

/// Gathers a stream's answer text, from hub chunks or from an Anthropic upstream's own events, and hands it to
/// `completed` once the stream ended whole (`[DONE]`, or Anthropic's `message_stop`): what long-term memory learns
/// from.
struct TurnTextObserver: StreamObserver {
    private var text = ""
    private let completed: @Sendable (String) -> Void

    init(completed: @escaping @Sendable (String) -> Void) {
        self.completed = completed
    }

    mutating func observe(_ event: ChatStreamEvent) -> Bool {
        switch event {
        case .chunk(let data):
            if let chunk = try? JSONValue(decoding: data), let piece = chunk["choices"]?.array?.first?["delta"]?["content"]?.string { text += piece }
            return false
        case .native(let native):
            guard let payload = try? JSONValue(decoding: native.data) else { return false }
            if payload["type"]?.string == "content_block_delta", let piece = payload["delta"]?["text"]?.string { text += piece }
            return payload["type"]?.string == "message_stop"
        case .done:
            return true
        }
    }

    func streamEnded() async throws { completed(text) }
}
