public import Foundation
public import Logging
public import ServiceLifecycle
import SwitchyardCore

/// Deletes what is kept only for a while: request-log rows, stored responses, idempotency answers. Runs once at
/// start, then every `interval`. Replicas sharing a database may all prune; the deletes do not conflict.
public struct StoragePruner: Service {
    /// One kind of row and how long it is kept.
    public struct Retention: Sendable {
        public var name: String
        public var keep: Duration
        public var prune: @Sendable (_ before: Date) async throws -> Int

        public init(name: String, keep: Duration, prune: @escaping @Sendable (_ before: Date) async throws -> Int) {
            self.name = name
            self.keep = keep
            self.prune = prune
        }
    }

    let retentions: [Retention]
    let interval: Duration
    let logger: Logger

    public init(_ retentions: [Retention], interval: Duration = .seconds(3600), logger: Logger) {
        self.retentions = retentions
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await prune()
        await repeatUntilShutdown(every: interval, logger: logger, failure: "could not prune storage") { await prune() }
    }

    /// Deletes what has outlived its retention now; returns how many rows of each kind.
    @discardableResult
    public func prune(now: Date = Date()) async -> [String: Int] {
        var deleted: [String: Int] = [:]
        for retention in retentions {
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
