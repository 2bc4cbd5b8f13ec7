import Foundation
package import Logging
import ServiceLifecycle
import Synchronization
package import SwitchyardCore

/// Shares rate-limit consumption between replicas through the store: every interval it publishes this replica's
/// running totals and charges the growth of every other replica's totals to the local buckets.
package struct LimitSync: Service {
    let ledger: LimitLedger
    let store: any LimitCounterStore
    let interval: Duration
    let logger: Logger
    /// Names this process in the shared table.
    let replica: String

    package init(ledger: LimitLedger, store: any LimitCounterStore, interval: Duration = .seconds(1), logger: Logger) {
        self.ledger = ledger
        self.store = store
        self.interval = interval
        self.logger = logger
        var generator = SystemRandomNumberGenerator()
        replica = "replica_" + String(generator.next() as UInt64, radix: 16)
    }

    package func run() async throws {
        guard store.isShared else { return }
        // The first reading only sets the baseline: traffic from before this replica started is not charged. It is
        // taken at once, so what other replicas serve from the moment this one starts counts here too.
        let seen = Mutex<[String: [String: LimitTotals]]?>(nil)
        let sync: @Sendable () async throws -> Void = { [ledger, store, replica] in
            try await store.publish(replica: replica, totals: ledger.localTotals())
            let current = try await store.totals(excluding: replica)
            let previous = seen.withLock { seen in
                defer { seen = current }
                return seen
            }
            if let previous { ledger.charge(remote: Self.growth(from: previous, to: current)) }
        }
        do {
            try await sync()
        } catch {
            logger.warning("could not sync rate-limit counters", metadata: ["error": "\(error)"])
        }
        await repeatUntilShutdown(every: interval, logger: logger, failure: "could not sync rate-limit counters", sync)
    }

    /// Per scope, how much every other replica's totals grew between two readings.
    static func growth(from old: [String: [String: LimitTotals]], to new: [String: [String: LimitTotals]]) -> [String: LimitTotals] {
        var growth: [String: LimitTotals] = [:]
        for (replica, scopes) in new {
            for (scope, total) in scopes {
                let before = old[replica]?[scope] ?? LimitTotals(requests: 0, tokens: 0)
                var sum = growth[scope] ?? LimitTotals(requests: 0, tokens: 0)
                sum.requests += max(0, total.requests - before.requests)
                sum.tokens += max(0, total.tokens - before.tokens)
                growth[scope] = sum
            }
        }
        return growth
    }
}
