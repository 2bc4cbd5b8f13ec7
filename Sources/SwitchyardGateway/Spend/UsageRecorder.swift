import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore

/// Takes usage records off the request path and writes them in batches: requests append to a bounded in-memory
/// queue (a lock held for an append, never an await), and this service writes what has queued every
/// `flushInterval`. When the queue is full (storage far behind) new records are dropped and counted, never waited for.
public final class UsageRecorder: Service {
    private let store: any UsageStore
    private let logger: Logger
    private let capacity: Int
    private let flushInterval: Duration
    private let queue = Mutex<[UsageRecord]>([])
    private let dropped = Atomic<Int>(0)

    public init(store: any UsageStore, capacity: Int = 10_000, flushInterval: Duration = .milliseconds(250), logger: Logger) {
        self.store = store
        self.capacity = capacity
        self.flushInterval = flushInterval
        self.logger = logger
    }

    /// Queues a record; never waits.
    public func record(_ record: UsageRecord) {
        let accepted = queue.withLock { queue in
            guard queue.count < capacity else { return false }
            queue.append(record)
            return true
        }
        if !accepted { dropped.add(1, ordering: .relaxed) }
    }

    /// Records dropped because the queue was full.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// Writes queued records every interval until shutdown, then what is left.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: self.flushInterval)
                } catch {
                    break
                }
                await self.flush()
            }
        }
        await flush()
    }

    /// Writes everything queued now.
    public func flush() async {
        let batch = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.append(batch)
        } catch {
            logger.error("could not write usage records", metadata: ["count": "\(batch.count)", "error": "\(error)"])
        }
    }
}
