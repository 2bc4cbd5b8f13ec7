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
        /// The translator closed the response (finished or failed): its final state is the one to keep.
        var closed = false
        /// The final state was saved: nothing is left to save.
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

    /// The closing events of a stream that ended; the response is final from here.
    func finish(now: Int) -> [JSONValue] {
        state.withLock { state in
            state.closed = true
            return state.translator.finish(now: now)
        }
    }

    /// The closing event of a stream that failed; the response is final from here.
    func fail(_ error: GatewayError, now: Int) -> [JSONValue] {
        state.withLock { state in
            state.closed = true
            return state.translator.fail(error, now: now)
        }
    }

    /// The response as translated so far.
    var response: ResponseObject { state.withLock { $0.translator.response } }

    /// The response's final state was saved: nothing is left to save when it is dropped.
    func ended() {
        state.withLock { $0.ended = true }
    }

    deinit {
        guard let saveIfAbandoned else { return }
        let abandoned: ResponseObject? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            // A response that reached its end but whose save failed keeps its final state; one cut short is
            // closed as interrupted, with what was streamed.
            return state.closed ? state.translator.response : state.translator.interrupted(now: Int(Date().timeIntervalSince1970))
        }
        if let abandoned { saveIfAbandoned(abandoned) }
    }
}
