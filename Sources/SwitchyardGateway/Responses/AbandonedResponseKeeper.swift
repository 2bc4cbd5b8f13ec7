import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// Keeps the latest state of a stored, streamed response while its reader reads it, so that a stream the reader
/// abandons (the client left, a write failed, the server stopped) is saved as `incomplete`, with the output it
/// had, instead of staying `in_progress` forever. Saving is queued to a writer, never awaited: it happens when the
/// stream is dropped, in `deinit` if nothing else ended it.
final class AbandonedResponseKeeper: Sendable {
    private struct State {
        var response: ResponseObject
        var ended = false
    }

    private let state: Mutex<State>
    private let save: @Sendable (ResponseObject) -> Void

    /// - Parameter save: queues the abandoned response's final state for storage.
    init(response: ResponseObject, save: @escaping @Sendable (ResponseObject) -> Void) {
        state = Mutex(State(response: response))
        self.save = save
    }

    /// The response as the stream has built it so far.
    func track(_ response: ResponseObject) {
        state.withLock { $0.response = response }
    }

    /// The stream reached its end and saved its final state itself.
    func ended() {
        state.withLock { $0.ended = true }
    }

    deinit {
        let abandoned: ResponseObject? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            var response = state.response
            response.status = "incomplete"
            response.incompleteDetails = ["reason": "interrupted"]
            response.completedAt = Int(Date().timeIntervalSince1970)
            return response
        }
        if let abandoned { save(abandoned) }
    }
}
