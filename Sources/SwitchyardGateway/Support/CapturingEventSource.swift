import SwitchyardCore
import SwitchyardWire

/// Passes a routed stream on untouched while gathering its answer; hands the whole answer to `completed` when the
/// stream's `[DONE]` arrives, and passes `[DONE]` on once `completed` returns (an error it throws ends the stream
/// instead). A stream that fails, ends without `[DONE]` or is abandoned never reaches `completed`.
struct CapturingEventSource: ChatEventSource {
    private var base: ChatEventStream.AsyncIterator
    private var capture = StreamCapture()
    private let requiresUsage: Bool
    private let requiresAnswer: Bool
    private let completed: @Sendable (JSONValue) async throws -> Void
    private var finished = false

    /// With `requiresUsage`, a stream that reported no usage gives no answer (one kept without usage could not
    /// serve a later request that asks for it). With `requiresAnswer`, a stream whose answer cannot be gathered
    /// (several choices, log probabilities, no finish reason) ends with an error instead of `[DONE]`.
    init(
        base: ChatEventStream.AsyncIterator, requiresUsage: Bool = true, requiresAnswer: Bool = false,
        completed: @escaping @Sendable (JSONValue) async throws -> Void
    ) {
        self.base = base
        self.requiresUsage = requiresUsage
        self.requiresAnswer = requiresAnswer
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
                if let completion = capture.completion(requiringUsage: requiresUsage) {
                    try await completed(completion)
                } else if requiresAnswer {
                    throw GatewayError(
                        status: 500, kind: .api, code: "conversation_not_saved",
                        message: "The streamed answer could not be kept: it has several choices, log probabilities or no finish reason.")
                }
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
