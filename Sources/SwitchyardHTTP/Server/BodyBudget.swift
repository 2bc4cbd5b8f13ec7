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

    /// Bytes held now (the `switchyard_buffered_body_bytes` gauge reads it at each scrape).
    var inUse: Int { held.load(ordering: .relaxed) }
}

extension BodyBudget {
    /// Whether more than half the budget is in use: from then on every body waits for its key to be accepted.
    var isUnderPressure: Bool { inUse > limit / 2 }
}
