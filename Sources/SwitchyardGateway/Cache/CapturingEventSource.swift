import SwitchyardCore
import SwitchyardWire

/// Passes a routed stream on untouched while gathering its answer; hands the whole answer to `completed` once the
/// stream ended cleanly. A stream that fails, is cut or is abandoned never reaches `completed`.
struct CapturingEventSource: ChatEventSource {
    private var base: ChatEventStream.AsyncIterator
    private var capture = StreamCapture()
    private let completed: @Sendable (JSONValue) -> Void
    private var finished = false

    init(base: ChatEventStream.AsyncIterator, completed: @escaping @Sendable (JSONValue) -> Void) {
        self.base = base
        self.completed = completed
    }

    mutating func next() async throws -> ChatStreamEvent? {
        let event = try await base.next()
        switch event {
        case .chunk(let data)?:
            if capture.representable {
                if let chunk = try? JSONValue(decoding: data) { capture.add(chunk) } else { capture.sawNativeEvent() }
            }
        case .native?:
            capture.sawNativeEvent()
        case .done?, nil:
            if !finished {
                finished = true
                if let completion = capture.completion { completed(completion) }
            }
        }
        return event
    }

    mutating func abandon() {
        finished = true
        base.abandon()
    }
}
