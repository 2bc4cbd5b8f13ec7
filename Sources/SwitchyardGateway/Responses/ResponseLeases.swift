package import Foundation
package import Logging
import ServiceLifecycle
import Synchronization
package import SwitchyardCore
import SwitchyardWire

/// The stored responses this replica is working on (queued or running in the background, or streaming), each
/// under a lease in storage: while the replica lives it renews them every third of the lease; when a replica
/// stops without finishing one (killed, or its machine lost), the lease runs out and any replica marks the
/// response failed, so none is left `in_progress` for ever.
package final class ResponseLeases: Service {
    /// How long a lease lasts unrenewed.
    package let duration: Duration
    private let store: any ResponseStore
    private let logger: Logger
    private let held = Mutex<Set<String>>([])
    /// Stops the background work on a response held here that storage shows finished: done, cancelled elsewhere,
    /// or failed by another replica that took this one for stopped. (A stream runs on until its client or upstream
    /// ends it; its final save is then refused.)
    private let stopWork: @Sendable (_ id: String) -> Void

    package init(
        store: any ResponseStore, duration: Duration = .seconds(30), logger: Logger, stopWork: @escaping @Sendable (_ id: String) -> Void = { _ in }
    ) {
        self.store = store
        self.duration = duration
        self.logger = logger
        self.stopWork = stopWork
    }

    /// When a lease taken now ends.
    package func expiry(from now: Date = Date()) -> Date { now.addingTimeInterval(duration.seconds) }

    /// Renews the lease of response `id` until it is released (or is found finished).
    package func hold(_ id: String) {
        held.withLock { _ = $0.insert(id) }
    }

    package func release(_ id: String) {
        held.withLock { _ = $0.remove(id) }
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: self.duration / 3)
                } catch {
                    return
                }
                // After a failed renewal this replica's own leases may have run out: it judges no one's.
                if await self.renew() { await self.failAbandoned() }
            }
        }
    }

    /// Extends the leases held here; forgets those whose responses are no longer in progress. Returns whether
    /// storage took the renewal.
    @discardableResult
    func renew() async -> Bool {
        let ids = held.withLock { Array($0) }
        guard !ids.isEmpty else { return true }
        do {
            let unfinished = try await store.renewResponseLeases(ids: ids, until: expiry())
            let finished = ids.filter { !unfinished.contains($0) }
            held.withLock { $0.subtract(finished) }
            for id in finished { stopWork(id) }
            return true
        } catch {
            logger.warning("could not renew the leases of responses in progress", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Marks failed the responses whose replica stopped renewing their lease: those whose lease ended more than a
    /// third of a lease ago (room for the clocks of two machines to differ), never one held here.
    func failAbandoned() async {
        do {
            let cutoff = Date().addingTimeInterval(-duration.seconds / 3)
            let mine = held.withLock { $0 }
            for (id, response) in try await store.responsesWithEndedLeases(now: cutoff, limit: 100) where !mine.contains(id) {
                guard try await store.failResponse(id: id, response: Self.failed(response), leaseEndedBefore: cutoff) else { continue }
                logger.warning("a response whose replica stopped before finishing it is marked failed", metadata: ["id": "\(id)"])
            }
        } catch {
            logger.warning("could not look for responses whose replica stopped", metadata: ["error": "\(error)"])
        }
    }

    /// The response object as failed, with an error saying why.
    static func failed(_ response: JSONValue) -> JSONValue {
        guard case .object(var members) = response else { return response }
        members["status"] = "failed"
        members["error"] = [
            "code": "server_error",
            "message": "The gateway replica working on this response stopped before it finished; send the request again.",
        ]
        return .object(members)
    }
}
