import Synchronization
import SwitchyardCore

/// Bounds the replays per scope that wait on a response running elsewhere (each looks at the store once a second):
/// a tenant cannot turn replays into a database load.
package final class ReplayPollers: Sendable {
    /// The most replays one scope may have waiting at once.
    package let maximumPerScope: Int
    private let waiting = Mutex<[String: Int]>([:])

    package init(maximumPerScope: Int = 8) {
        self.maximumPerScope = maximumPerScope
    }

    /// A slot for one more waiting replay of `scope`, held until the returned slot is released or dropped.
    /// - Throws: 429 when the scope already has its maximum waiting.
    func reserve(scope: String) throws(GatewayError) -> Slot {
        let taken = waiting.withLock { waiting in
            let count = waiting[scope, default: 0]
            guard count < maximumPerScope else { return false }
            waiting[scope] = count + 1
            return true
        }
        guard taken else {
            var error = GatewayError(
                status: 429, kind: .rateLimit, code: "too_many_replays",
                message: "\(maximumPerScope) replays of responses still running are already waiting for this key or team; wait for one to end.")
            error.retryAfterSeconds = 1
            throw error
        }
        return Slot(pollers: self, scope: scope)
    }

    fileprivate func release(scope: String) {
        waiting.withLock { waiting in
            let count = (waiting[scope] ?? 1) - 1
            waiting[scope] = count > 0 ? count : nil
        }
    }

    /// One waiting replay's place; given back when dropped.
    final class Slot: Sendable {
        private let pollers: ReplayPollers
        private let scope: String

        fileprivate init(pollers: ReplayPollers, scope: String) {
            self.pollers = pollers
            self.scope = scope
        }

        deinit { pollers.release(scope: scope) }
    }
}
