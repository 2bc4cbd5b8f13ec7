import Foundation
package import Logging
import NIOCore
import Synchronization
package import SwitchyardCore

/// The response cache: entries in memory (least recently used out first) in front of the store that replicas
/// share. A lookup reads memory, then the store; an answer is kept in memory at once and written to the store by a
/// batch writer, off the request path.
///
/// Replicas stay consistent through each scope's version in the store, which a purge moves: an entry found in
/// memory is served without asking the store while its scope's version, read again once `revalidateAfter` has
/// passed, is the one it was read at. Storing moves no version, so a busy scope's writes never send another
/// replica's hits back to the store; new entries reach other replicas on their next read of the store.
package final class ResponseCache: Sendable {
    private let store: any CacheStore
    package let writer: BatchedWriter<CacheEntry>
    private let memory: Mutex<CacheMemory>
    private let semantic = SemanticIndex()
    private let checkedVersions = Mutex<[String: (version: Int, at: ContinuousClock.Instant)]>([:])
    private let revalidateAfter: Duration
    private let logger: Logger

    package init(
        store: any CacheStore, memory settings: CacheMemorySettings = .init(), revalidateAfter: Duration = .seconds(1),
        metrics: GatewayMetrics? = nil, logger: Logger
    ) {
        self.store = store
        self.revalidateAfter = revalidateAfter
        self.logger = logger
        memory = Mutex(CacheMemory(maxEntries: settings.maxEntries, maxBytes: settings.maxBytes))
        writer = BatchedWriter(name: "cache", metrics: metrics, logger: logger) { entries in try await store.storeCacheEntries(entries) }
    }

    /// Applies a reloaded configuration's memory bounds; entries beyond them go.
    package func resize(_ settings: CacheMemorySettings) {
        memory.withLock { $0.resize(maxEntries: settings.maxEntries, maxBytes: settings.maxBytes) }
    }

    /// The unexpired entry for `key` (no older than `maxAge`), from memory or the store; nil on a miss or when the
    /// store cannot be read (a cache that fails is a miss, never an error).
    func entry(for key: CacheKey, maxAge: Duration?, now: Date = Date()) async -> CacheEntry? {
        await entries(scope: key.scope, keys: [key.key], maxAge: maxAge, now: now)[key.key]
    }

    /// The unexpired entries of `scope` among `keys` (no older than `maxAge`), by key: those held in memory, and
    /// the rest read from the store in one round trip. A key that is missing missed, or the store could not be read.
    func entries(scope: String, keys: [String], maxAge: Duration?, now: Date = Date()) async -> [String: CacheEntry] {
        var found: [String: CacheEntry] = [:]
        var unread: [String] = []
        for key in Set(keys) {
            let remembered = memory.withLock { $0.slot(scope: scope, key: key) }
            // A held entry too old for `max-age` may have a newer one in the store, from another replica.
            if let remembered, await isCurrent(remembered, now: now), let usable = Self.usable(remembered.entry, maxAge: maxAge, now: now) {
                found[key] = usable
            } else {
                unread.append(key)
            }
        }
        guard !unread.isEmpty else { return found }
        do {
            // The version is read before the entries: an entry read after a purge is tagged with the purge's version.
            let version = try await currentVersion(of: scope)
            let stored = try await store.cacheEntries(scope: scope, keys: unread, now: now)
            memory.withLock { memory in
                for key in unread { memory.remove(scope: scope, key: key) }
                for entry in stored { memory.insert(entry, scopeVersion: version) }
            }
            for entry in stored { found[entry.key] = Self.usable(entry, maxAge: maxAge, now: now) }
        } catch {
            logger.warning("could not read the response cache", metadata: ["error": "\(error)"])
        }
        return found
    }

    /// Keeps an answer: in memory now, in the store soon.
    func keep(_ entry: CacheEntry) {
        // The scope's version as last read here (a lookup usually just read it); a purge elsewhere moves it on.
        let version = checkedVersions.withLock { $0[entry.scope]?.version }
        memory.withLock { $0.insert(entry, scopeVersion: version) }
        semantic.add(entry)
        writer.record(entry)
    }

    /// The unexpired entry of `scope` and `model` for the same request context whose vector is the most similar to
    /// `vector`, when that similarity reaches `threshold`; nil otherwise, or when the store cannot be read.
    func nearest(
        scope: String, model: String, context: String, vector: [Float], threshold: Double, maxAge: Duration?, now: Date = Date()
    ) async -> CacheEntry? {
        let group = SemanticIndex.Group(scope: scope, model: model, context: context)
        do {
            let version = try await currentVersion(of: scope)
            let candidates: [SemanticIndex.Candidate]
            switch semantic.holding(group, version: version, refreshAfter: revalidateAfter) {
            case .current(let held):
                candidates = held
            case .stale(let createdSince):
                let entries = try await store.semanticCandidates(
                    scope: scope, model: model, context: context, createdSince: createdSince, now: now)
                candidates = semantic.merge(entries, into: group, version: version, readAt: now)
            case .absent:
                let entries = try await store.semanticCandidates(scope: scope, model: model, context: context, createdSince: nil, now: now)
                candidates = semantic.load(entries, into: group, version: version, readAt: now)
            }
            guard let (best, similarity) = SemanticIndex.nearest(to: vector, in: candidates, now: now.timeIntervalSince1970),
                similarity >= threshold
            else { return nil }
            // The index holds vectors, not answers: the answer is read like an exact hit's.
            return await entry(for: CacheKey(scope: scope, key: best.entry.key), maxAge: maxAge, now: now)
        } catch {
            logger.warning("could not read the response cache", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The scope's version in the store, read again once `revalidateAfter` has passed since it was last read.
    private func currentVersion(of scope: String) async throws -> Int {
        if let checked = checkedVersions.withLock({ $0[scope] }), ContinuousClock.now - checked.at < revalidateAfter { return checked.version }
        let version = try await store.cacheVersion(scope: scope)
        checkedVersions.withLock { $0[scope] = (version, .now) }
        return version
    }

    /// Empties the cache, or one model's entries, here and in the store (which the other replicas see through the
    /// scopes' versions); returns how many stored entries went.
    package func purge(model: String?) async throws -> Int {
        // Answers kept here but not yet written would come back after the purge: they are written first.
        await writer.flush()
        memory.withLock { $0.removeAll(model: model) }
        semantic.removeAll()
        checkedVersions.withLock { $0.removeAll() }
        return try await store.purgeCache(model: model)
    }

    /// Whether an entry held in memory may be served without asking the store: it was written here moments ago
    /// (the store may not have it yet), or its scope's version is still the one it was read at (checked again
    /// once `revalidateAfter` has passed).
    private func isCurrent(_ slot: CacheMemory.Slot, now: Date) async -> Bool {
        guard slot.entry.expiresAt > now else { return false }
        guard let readAt = slot.scopeVersion else {
            return now.timeIntervalSince(slot.entry.createdAt) < Self.writtenHereGrace
        }
        let scope = slot.entry.scope
        if let checked = checkedVersions.withLock({ $0[scope] }), ContinuousClock.now - checked.at < revalidateAfter {
            return readAt == checked.version
        }
        guard let version = try? await store.cacheVersion(scope: scope) else { return true }
        checkedVersions.withLock { $0[scope] = (version, .now) }
        return readAt == version
    }

    /// How long an entry written here is served from memory alone: longer than the writer takes to store it.
    static let writtenHereGrace: TimeInterval = 2

    private static func usable(_ entry: CacheEntry, maxAge: Duration?, now: Date) -> CacheEntry? {
        guard entry.expiresAt > now else { return nil }
        if let maxAge, now.timeIntervalSince(entry.createdAt) > maxAge.seconds {
            return nil
        }
        return entry
    }
}
