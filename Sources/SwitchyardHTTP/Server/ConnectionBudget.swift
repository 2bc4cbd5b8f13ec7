import Synchronization

/// Connections open at once, within a limit; each change is reported (under the count's lock, so the reports are
/// in order) to `changed`, for the open-connections gauge.
final class ConnectionBudget: Sendable {
    let limit: Int
    private let opened = Mutex(0)
    private let changed: @Sendable (Int) -> Void

    init(limit: Int, changed: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.limit = limit
        self.changed = changed
    }

    /// Counts a new connection; false (counting nothing) when the limit is reached.
    func open() -> Bool {
        opened.withLock { count in
            guard count < limit else { return false }
            count += 1
            changed(count)
            return true
        }
    }

    func close() {
        opened.withLock { count in
            count = max(0, count - 1)
            changed(count)
        }
    }
}
