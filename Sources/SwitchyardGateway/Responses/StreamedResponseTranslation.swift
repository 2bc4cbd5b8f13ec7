import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// The translation of one streamed response, held by reference so that a stream its reader abandons (the client
/// left, a write failed, the server stopped) can still be saved: as `incomplete`, with the output streamed so far,
/// instead of staying `in_progress` forever. Saving is queued to a writer, never awaited; it happens in `deinit`
/// when the stream was neither finished nor failed.
final class StreamedResponseTranslation: Sendable {
    private struct State {
        var translator: ChatToResponsesStreamTranslator
        var ended = false
    }

    private let state: Mutex<State>
    /// Queues an abandoned response's final state for storage; nil for a response that is not stored.
    private let saveIfAbandoned: (@Sendable (ResponseObject) -> Void)?

    init(_ translator: ChatToResponsesStreamTranslator, saveIfAbandoned: (@Sendable (ResponseObject) -> Void)? = nil) {
        state = Mutex(State(translator: translator))
        self.saveIfAbandoned = saveIfAbandoned
    }

    /// Runs `body` on the translator.
    func translate<Result>(_ body: (inout ChatToResponsesStreamTranslator) -> Result) -> Result {
        state.withLock { body(&$0.translator) }
    }

    /// The response as translated so far.
    var response: ResponseObject { state.withLock { $0.translator.response } }

    /// The stream ended and its final state was saved: nothing is left to save when it is dropped.
    func ended() {
        state.withLock { $0.ended = true }
    }

    deinit {
        guard let saveIfAbandoned else { return }
        let abandoned: ResponseObject? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            return state.translator.interrupted(now: Int(Date().timeIntervalSince1970))
        }
        if let abandoned { saveIfAbandoned(abandoned) }
    }
}
