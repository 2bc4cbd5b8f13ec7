import Synchronization

/// Holds each arriving task until a set number have arrived (or a deadline passes), so a test can make requests
/// overlap for certain instead of hoping the machine is fast enough.
package final class ArrivalBarrier: Sendable {
    private struct State {
        var arrived = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let count: Int
    private let state = Mutex(State())

    /// - Parameter count: arrivals that release everyone waiting.
    package init(count: Int) {
        self.count = count
    }

    /// Waits until `count` tasks have arrived, or until `limit` has passed (which releases everyone); either way it
    /// returns.
    package func arrive(limit: Duration = .seconds(10)) async {
        let isLast = state.withLock { state in
            state.arrived += 1
            return state.arrived >= count
        }
        if isLast { return releaseAll() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: limit)
                self.releaseAll()
            }
            await waitForRelease()
            group.cancelAll()
        }
    }

    private func releaseAll() {
        let released = state.withLock { state in
            state.arrived = max(state.arrived, count)
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in released { continuation.resume() }
    }

    private func waitForRelease() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.arrived >= count { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
