import Synchronization

/// The request-body bytes every connection together may hold at once (bodies being read, and bodies whose
/// requests are being served), so that many clients sending large bodies cannot exhaust the process's memory.
final class BodyBudget: Sendable {
    let limit: Int
    private let held = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` from the budget; false (taking nothing) when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while true {
            guard bytes <= limit - current else { return false }
            let (exchanged, original) = held.compareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        held.subtract(bytes, ordering: .relaxed)
    }

    /// Bytes held now.
    var inUse: Int { held.load(ordering: .relaxed) }
}

/// Connections open at once, within a limit.
final class ConnectionBudget: Sendable {
    let limit: Int
    private let opened = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; false (counting nothing) when the limit is reached.
    func open() -> Bool {
        let count = opened.add(1, ordering: .relaxed).newValue
        guard count <= limit else {
            opened.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func close() {
        opened.subtract(1, ordering: .relaxed)
    }

    var count: Int { opened.load(ordering: .relaxed) }
}
