import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore

/// Takes records off the request path and writes them in batches: requests append to a bounded in-memory queue
/// (a lock held for an append, never an await), and this service writes what has queued every `flushInterval`,
/// at most `maximumBatch` rows per statement. When the queue is full (storage far behind) new records are dropped
/// and counted, never waited for.
public final class BatchedWriter<Record: Sendable>: Service {
    /// Names the writer in logs and metrics: `usage`, `request_log`.
    public let name: String
    private let write: @Sendable ([Record]) async throws -> Void
    private let logger: Logger
    private let capacity: Int
    private let maximumBatch: Int
    private let flushInterval: Duration
    private let metrics: GatewayMetrics?
    private let queue = Mutex<[Record]>([])

    public init(
        name: String, capacity: Int = 10_000, maximumBatch: Int = 500, flushInterval: Duration = .milliseconds(250), metrics: GatewayMetrics? = nil,
        logger: Logger, write: @escaping @Sendable ([Record]) async throws -> Void
    ) {
        self.name = name
        self.write = write
        self.capacity = capacity
        self.maximumBatch = maximumBatch
        self.flushInterval = flushInterval
        self.metrics = metrics
        self.logger = logger
    }

    /// Queues a record; never waits.
    public func record(_ record: Record) {
        let accepted = queue.withLock { queue in
            guard queue.count < capacity else { return false }
            queue.append(record)
            return true
        }
        if !accepted { metrics?.recordDropped(writer: name) }
    }

    /// Writes queued records every interval until shutdown, then what is left.
    public func run() async throws {
        await repeatUntilShutdown(every: flushInterval, logger: logger, failure: "could not write records") { await self.flush() }
        await flush()
    }

    /// Writes everything queued now.
    public func flush() async {
        let batch = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        metrics?.recordQueueDepth(writer: name, depth: batch.count)
        var start = 0
        while start < batch.count {
            let end = min(batch.count, start + maximumBatch)
            do {
                try await write(Array(batch[start..<end]))
            } catch {
                logger.error("could not write \(name) records", metadata: ["count": "\(end - start)", "error": "\(error)"])
            }
            start = end
        }
    }
}

/// The usage ledger's writer.
public typealias UsageRecorder = BatchedWriter<UsageRecord>

extension BatchedWriter where Record == UsageRecord {
    public convenience init(store: any UsageStore, metrics: GatewayMetrics? = nil, logger: Logger) {
        self.init(name: "usage", metrics: metrics, logger: logger) { try await store.append($0) }
    }
}
