import SwitchyardCore
import SwitchyardWire

/// Passes a routed stream on untouched while gathering its answer; hands the whole answer to `completed` when the
/// stream's `[DONE]` arrives. A stream that fails, ends without `[DONE]` or is abandoned never reaches `completed`.
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
        let event: ChatStreamEvent?
        do {
            event = try await base.next()
        } catch {
            finished = true
            throw error
        }
        switch event {
        case .chunk(let data)?:
            if capture.representable {
                if let chunk = try? JSONValue(decoding: data) { capture.add(chunk) } else { capture.sawNativeEvent() }
            }
        case .native?:
            capture.sawNativeEvent()
        case .done?:
            if !finished {
                finished = true
                if let completion = capture.completion { completed(completion) }
            }
        case nil:
            finished = true
        }
        return event
    }

    mutating func abandon() {
        finished = true
        base.abandon()
    }
}
