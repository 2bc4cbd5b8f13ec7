import SwitchyardCore
import SwitchyardWire

/// Gathers a stream's hub chunks into the chat completion they add up to, and hands it to `completed` at `[DONE]`:
/// how the response cache keeps streamed answers and conversations keep streamed turns.
struct AnswerObserver: StreamObserver {
    private var capture = StreamCapture()
    private let requiresUsage: Bool
    private let requiresAnswer: Bool
    private let completed: @Sendable (JSONValue) async throws -> Void

    /// With `requiresUsage`, a stream that reported no usage gives no answer (one kept without usage could not
    /// serve a later request that asks for it). With `requiresAnswer`, a stream whose answer cannot be gathered
    /// (several choices, log probabilities, no finish reason) ends with an error instead of `[DONE]`.
    init(requiresUsage: Bool = true, requiresAnswer: Bool = false, completed: @escaping @Sendable (JSONValue) async throws -> Void) {
        self.requiresUsage = requiresUsage
        self.requiresAnswer = requiresAnswer
        self.completed = completed
    }

    mutating func observe(_ event: ChatStreamEvent) -> Bool {
        switch event {
        case .chunk(let data):
            if capture.representable {
                if let chunk = try? JSONValue(decoding: data) { capture.add(chunk) } else { capture.sawNativeEvent() }
            }
            return false
        case .native:
            capture.sawNativeEvent()
            return false
        case .done:
            return true
        }
    }

    func streamEnded() async throws {
        if let completion = capture.completion(requiringUsage: requiresUsage) {
            try await completed(completion)
        } else if requiresAnswer {
            throw GatewayError(
                status: 500, kind: .api, code: "conversation_not_saved",
                message: "The streamed answer could not be kept: it has several choices, log probabilities or no finish reason.")
        }
    }
}
