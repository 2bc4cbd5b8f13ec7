import Foundation
import Logging
import ServiceLifecycle
import SwitchyardCore

/// Deletes request-log rows older than the retention period: once at start, then every `interval`. Replicas
/// sharing a database may all prune; the deletes do not conflict.
public struct RequestLogPruner: Service {
    let store: any RequestLogStore
    let retention: Duration
    let interval: Duration
    let logger: Logger

    public init(store: any RequestLogStore, retention: Duration, interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await prune()
        } catch {
            logger.warning("could not prune the request log", metadata: ["error": "\(error)"])
        }
        await repeatUntilShutdown(every: interval, logger: logger, failure: "could not prune the request log") { try await prune() }
    }

    /// Deletes what is older than the retention period now; returns how many rows.
    @discardableResult
    public func prune(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(retention.components.seconds))
        let deleted = try await store.pruneLogs(before: cutoff)
        if deleted > 0 { logger.info("pruned the request log", metadata: ["rows": "\(deleted)"]) }
        return deleted
    }
}
