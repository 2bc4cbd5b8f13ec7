import SwitchyardCore
import SwitchyardWire

/// Passes a routed stream on untouched while gathering the answer's text, from hub chunks or from an Anthropic
/// upstream's own events; hands it to `completed` once the stream ended whole (`[DONE]`, or Anthropic's
/// `message_stop`). A stream that fails, is cut or is abandoned never reaches `completed`.
struct TurnCapturingSource: ChatEventSource {
    private var base: ChatEventStream.AsyncIterator
    private var text = ""
    private var finished = false
    private let completed: @Sendable (String) -> Void

    init(base: ChatEventStream.AsyncIterator, completed: @escaping @Sendable (String) -> Void) {
        self.base = base
        self.completed = completed
    }

    mutating func next() async throws -> ChatStreamEvent? {
        let event: ChatStreamEvent?
        do {
            event = try await base.next()
        } catch {
            finished = true
            throw error
        }
        switch event {
        case .chunk(let data)?:
            if let chunk = try? JSONValue(decoding: data), let piece = chunk["choices"]?.array?.first?["delta"]?["content"]?.string { text += piece }
        case .native(let native)?:
            guard let payload = try? JSONValue(decoding: native.data) else { break }
            if payload["type"]?.string == "content_block_delta", let piece = payload["delta"]?["text"]?.string { text += piece }
            if payload["type"]?.string == "message_stop" { finish() }
        case .done?:
            finish()
        case nil:
            finished = true
        }
        return event
    }

    private mutating func finish() {
        guard !finished else { return }
        finished = true
        completed(text)
    }

    mutating func abandon() {
        finished = true
        base.abandon()
    }
}
