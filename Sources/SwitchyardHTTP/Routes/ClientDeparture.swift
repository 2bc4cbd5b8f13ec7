import Synchronization

/// Ties work done for a client to the client's connection: one per connection, told once when it closes.
///
/// Work run through ``cancellingOnDeparture(_:)`` is cancelled as soon as the connection closes, so a client that
/// leaves mid-stream stops the upstream request at once instead of at the next write. The work runs in the
/// calling task, the connection's own: watching it starts no task and, however many requests a connection carries,
/// holds one close callback.
package final class ClientDeparture: Sendable {
    /// The task running watched work, kept only while it runs.
    private struct WatchedTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private struct State {
        var departed = false
        var watched: WatchedTask?
    }

    private let state = Mutex(State())

    package init() {}

    /// Runs `operation` in the calling task, cancelling that task if the client's connection closes before it
    /// returns (or closed already).
    @concurrent package func cancellingOnDeparture<Value>(_ operation: @concurrent () async throws -> Value) async rethrows -> Value {
        let (departed, previous) = withUnsafeCurrentTask { task in
            state.withLock { state in
                let previous = state.watched
                if let task { state.watched = WatchedTask(task: task) }
                return (state.departed, previous)
            }
        }
        if departed { withUnsafeCurrentTask { $0?.cancel() } }
        // Cleared before returning, under the lock the closing side cancels under, so the task is never
        // cancelled through a handle that outlived its work.
        defer { state.withLock { $0.watched = previous } }
        return try await operation()
    }

    /// Notes that the connection closed, and cancels the work running for it.
    package func depart() {
        state.withLock { state in
            state.departed = true
            state.watched?.task.cancel()
        }
    }
}
