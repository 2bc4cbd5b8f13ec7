import Synchronization

/// A one-shot signal between a test and an upstream double: the upstream waits at the gate until the test opens it
/// (or a limit passes), so a test can order events across the gateway without guessing how fast the machine is.
package final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var openedByLimit = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    package init() {}

    /// Opens the gate: everyone waiting goes on, and later waits return at once.
    package func open() {
        open(byLimit: false)
    }

    /// Whether the gate opened only because a wait's limit passed, not because the test opened it.
    package var openedByLimit: Bool { state.withLock { $0.openedByLimit } }

    /// Waits until the gate is open; after `limit` it opens the gate itself (and records that it did). A cancelled
    /// wait opens it too (the upstream double is shutting down), without counting as the limit.
    package func wait(limit: Duration = .seconds(30)) async {
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await Task.sleep(for: limit)
                    if !Task.isCancelled { self.open(byLimit: true) }
                }
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.isOpen { return true }
                        state.waiting.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
                group.cancelAll()
            }
        } onCancel: {
            open()
        }
    }

    private func open(byLimit: Bool) {
        let released = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.isOpen else { return [] }
            state.isOpen = true
            state.openedByLimit = byLimit
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in released { continuation.resume() }
    }
}
