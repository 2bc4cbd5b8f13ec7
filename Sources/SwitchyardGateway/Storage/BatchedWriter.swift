package import Logging
import ServiceLifecycle
import Synchronization
package import SwitchyardCore

/// Takes records off the request path and writes them in batches: requests append to a bounded in-memory queue
/// (a lock held for an append, never an await), and this service writes what has queued every `flushInterval`,
/// at most `maximumBatch` records per write, and again at once while a full batch or more was waiting. When the
/// queue is full (storage far behind) new records are dropped and counted, never waited for.
///
/// A batch that fails is not lost with its neighbours: when storage refused the rows themselves
/// (``StorageRefusedRows``: a value it cannot hold), the batch is split in halves until the rows at fault are set
/// apart, and only those are dropped; any other failure (unreachable, busy, timed out) puts the batch back in the
/// queue and the writer backs off (doubling, up to 10 s). Every dropped row is counted in
/// `switchyard_storage_dropped_total`.
package final class BatchedWriter<Record: Sendable>: Service {
    /// Names the writer in logs and metrics: `usage`, `request_log`.
    package let name: String
    private let write: @Sendable ([Record]) async throws -> Void
    private let logger: Logger
    private let capacity: Int
    private let maximumBatch: Int
    private let flushInterval: Duration
    private let metrics: GatewayMetrics?
    private let queue = Mutex<[Record]>([])
    /// After a failure to reach storage: when to try again, and how long the last wait was.
    private let backoff = Mutex<(until: ContinuousClock.Instant, wait: Duration)?>(nil)

    package init(
        name: String, capacity: Int = 10_000, maximumBatch: Int = 500, flushInterval: Duration = .milliseconds(250), metrics: GatewayMetrics? = nil,
        logger: Logger, write: @escaping @Sendable ([Record]) async throws -> Void
    ) {
        self.name = name
        self.write = write
        self.logger = logger
        self.capacity = capacity
        self.maximumBatch = maximumBatch
        self.flushInterval = flushInterval
        self.metrics = metrics
        // Present from the start, not only from the first flush.
        metrics?.recordQueueDepth(writer: name, depth: 0)
    }

    /// Queues a record; never waits.
    package func record(_ record: Record) {
        let accepted = queue.withLock { queue in
            guard queue.count < capacity else { return false }
            queue.append(record)
            return true
        }
        if !accepted { metrics?.recordDropped(writer: name) }
    }

    /// Writes queued records every interval until shutdown, then what is left. A flush that found a full batch or
    /// more waiting is followed by another at once: under load the queue fills faster than one interval's flush
    /// empties it, and waiting out the interval after each write would cap the writer below what storage can take.
    package func run() async throws {
        await repeatUntilShutdown(every: flushInterval, logger: logger, failure: "could not write records") { await self.catchUp() }
        await flush()
    }

    /// Flushes until a flush finds less than a full batch waiting, or storage cannot take rows.
    func catchUp() async {
        while await flush(final: false) >= maximumBatch, !Task.isCancelled {}
    }

    /// Writes everything queued now; returns how many records were written (0 when storage could not take them).
    /// `final` ignores the backoff: the last chance to write before the process ends.
    @discardableResult
    package func flush(final: Bool = true) async -> Int {
        if !final, let backoff = backoff.withLock({ $0 }), ContinuousClock.now < backoff.until { return 0 }
        let batch = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        metrics?.recordQueueDepth(writer: name, depth: batch.count)
        var start = 0
        while start < batch.count {
            let end = min(batch.count, start + maximumBatch)
            if let unwritten = await store(batch[start..<end]) {
                // Storage cannot take rows now: those not written and the rest wait for the next flush.
                requeue(unwritten + batch[end...])
                return 0
            }
            start = end
        }
        return batch.count
    }

    /// Writes `rows`; returns nil when each was written (or refused and dropped), else the rows storage could not
    /// take, neither written nor dropped.
    private func store(_ rows: ArraySlice<Record>) async -> ArraySlice<Record>? {
        do {
            try await write(Array(rows))
            backoff.withLock { $0 = nil }
            return nil
        } catch {
            guard error is StorageRefusedRows else {
                let wait = backoff.withLock { backoff in
                    let wait = min(.seconds(10), (backoff?.wait ?? .milliseconds(250)) * 2)
                    backoff = (ContinuousClock.now + wait, wait)
                    return wait
                }
                logger.warning(
                    "storage could not take \(name) records; kept for a later try",
                    metadata: ["count": "\(rows.count)", "retry_in": "\(wait)", "error": "\(error)"])
                return rows
            }
            guard rows.count > 1 else {
                logger.error("dropped a \(name) record storage refused", metadata: ["error": "\(error)"])
                metrics?.recordDropped(writer: name)
                return nil
            }
            // Refused: split to isolate the rows at fault, so the others are written.
            let middle = rows.startIndex + rows.count / 2
            if let unwritten = await store(rows[..<middle]) { return unwritten + rows[middle...] }
            return await store(rows[middle...])
        }
    }

    /// Puts rows that could not be written back at the front of the queue, within its capacity (the oldest beyond
    /// it are dropped and counted).
    private func requeue(_ rows: ArraySlice<Record>) {
        let dropped = queue.withLock { queue in
            let room = max(0, capacity - queue.count)
            let kept = rows.suffix(room)
            queue.insert(contentsOf: kept, at: 0)
            return rows.count - kept.count
        }
        if dropped > 0 { metrics?.recordDropped(writer: name, count: dropped) }
    }
}

/// The usage ledger's writer.
package typealias UsageRecorder = BatchedWriter<UsageRecord>

extension BatchedWriter where Record == UsageRecord {
    /// Storage adds each batch up per minute before writing it: a few rows however many requests it holds, in one
    /// statement (batches of at most `SQLGatewayStore.usageRowsPerStatement` records).
    ///
    /// - Parameter spend: told of each batch once it is stored, so the charges it carries stop counting as
    ///   pending (they count in storage's totals from then on).
    package convenience init(store: any UsageStore, spend: SpendLedger? = nil, metrics: GatewayMetrics? = nil, logger: Logger) {
        self.init(name: "usage", maximumBatch: 2_000, metrics: metrics, logger: logger) { records in
            try await store.append(records)
            spend?.stored(records)
        }
    }
}
