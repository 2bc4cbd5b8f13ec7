package import Foundation
package import Logging
import ServiceLifecycle
package import SwitchyardCore

/// Deletes what is kept only for a while: request-log rows, stored responses, idempotency answers. Runs once at
/// start, then every `interval`. Replicas sharing a database may all prune; the deletes do not conflict.
package struct StoragePruner: Service {
    /// One kind of row and how long it is kept.
    package struct Retention: Sendable {
        package var name: String
        package var keep: Duration
        package var prune: @Sendable (_ before: Date) async throws -> Int

        package init(name: String, keep: Duration, prune: @escaping @Sendable (_ before: Date) async throws -> Int) {
            self.name = name
            self.keep = keep
            self.prune = prune
        }
    }

    /// What to prune; a configuration reload may replace it.
    let retentions: Swappable<[Retention]>
    let interval: Duration
    let logger: Logger

    package init(_ retentions: Swappable<[Retention]>, interval: Duration = .seconds(3600), logger: Logger) {
        self.retentions = retentions
        self.interval = interval
        self.logger = logger
    }

    package init(_ retentions: [Retention], interval: Duration = .seconds(3600), logger: Logger) {
        self.init(Swappable(retentions), interval: interval, logger: logger)
    }

    package func run() async throws {
        await prune()
        await repeatUntilShutdown(every: interval, logger: logger, failure: "could not prune storage") { await prune() }
    }

    /// Deletes what has outlived its retention now; returns how many rows of each kind.
    @discardableResult
    package func prune(now: Date = Date()) async -> [String: Int] {
        var deleted: [String: Int] = [:]
        for retention in retentions.current {
            do {
                let count = try await retention.prune(now.addingTimeInterval(-Double(retention.keep.components.seconds)))
                deleted[retention.name] = count
                if count > 0 { logger.info("pruned old rows", metadata: ["kind": "\(retention.name)", "rows": "\(count)"]) }
            } catch {
                logger.warning("could not prune old rows", metadata: ["kind": "\(retention.name)", "error": "\(error)"])
            }
        }
        return deleted
    }
}
