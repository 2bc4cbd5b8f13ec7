import Foundation
import Logging
import NIOCore
import Synchronization
import SwitchyardCore
import Testing

@testable import SwitchyardGateway

/// Two ``ResponseCache``s over one store behave as two replicas: what each asks of the store is counted.
@Suite("Response cache: store round trips between replicas")
struct ResponseCacheTests {
    func entry(_ key: String, context: String? = nil, vector: [Float]? = nil, scope: String = "team:red") -> CacheEntry {
        let now = Date()
        return CacheEntry(
            scope: scope, key: key, model: "chat", body: ByteBuffer(string: #"{"answer":"\#(key)"}"#), context: context, vector: vector,
            createdAt: now, expiresAt: now.addingTimeInterval(3600))
    }

    func replica(_ store: CountingCacheStore, revalidateAfter: Duration = .zero) -> ResponseCache {
        ResponseCache(store: store, revalidateAfter: revalidateAfter, logger: Logger(label: "test"))
    }

    @Test("a batch of keys is read from the store in one round trip; keys held in memory are not asked for")
    func batchedLookup() async {
        let store = CountingCacheStore()
        let writer = replica(store)
        for key in ["a", "b", "c"] { writer.keep(entry(key)) }
        await writer.writer.flush()

        let reader = replica(store, revalidateAfter: .seconds(60))
        let found = await reader.entries(scope: "team:red", keys: ["a", "b", "c", "missing", "a"], maxAge: nil)
        #expect(Set(found.keys) == ["a", "b", "c"])
        #expect(store.lookups == [["a", "b", "c", "missing"]], "one read for the whole batch, each key once")

        let again = await reader.entries(scope: "team:red", keys: ["a", "b", "missing"], maxAge: nil)
        #expect(Set(again.keys) == ["a", "b"])
        #expect(store.lookups.last == ["missing"], "only the key not held went to the store")
    }

    @Test("another replica's writes leave a held entry current; its purge sends the next read to the store")
    func writesDoNotInvalidate() async throws {
        let store = CountingCacheStore()
        let first = replica(store)
        let second = replica(store)
        first.keep(entry("held"))
        await first.writer.flush()

        #expect(await second.entry(for: CacheKey(scope: "team:red", key: "held"), maxAge: nil) != nil)
        #expect(store.lookups.count == 1)
        for index in 0..<5 { first.keep(entry("other-\(index)")) }
        await first.writer.flush()
        #expect(await second.entry(for: CacheKey(scope: "team:red", key: "held"), maxAge: nil) != nil)
        #expect(store.lookups.count == 1, "served from memory: the version was checked, and had not moved")
        #expect(store.versionReads >= 2)

        #expect(try await first.purge(model: nil) == 6)
        #expect(await second.entry(for: CacheKey(scope: "team:red", key: "held"), maxAge: nil) == nil, "purged on the other replica")
        #expect(store.lookups.count == 2)
    }

    @Test("a held semantic group takes in what another replica stored since, without reading the group whole again")
    func semanticMerge() async throws {
        let store = CountingCacheStore()
        let first = replica(store)
        let second = replica(store)
        first.keep(entry("north", context: "ctx", vector: [1, 0, 0]))
        await first.writer.flush()

        let nearNorth = await second.nearest(scope: "team:red", model: "chat", context: "ctx", vector: [0.9, 0.1, 0], threshold: 0.9, maxAge: nil)
        #expect(nearNorth?.key == "north")
        #expect(store.candidateReads == [false], "the first search loads the group whole")

        first.keep(entry("east", context: "ctx", vector: [0, 1, 0]))
        await first.writer.flush()
        let nearEast = await second.nearest(scope: "team:red", model: "chat", context: "ctx", vector: [0.1, 0.9, 0], threshold: 0.9, maxAge: nil)
        #expect(nearEast?.key == "east", "the other replica's new entry was merged in")
        #expect(store.candidateReads == [false, true], "the second search read only what was created since")

        let unrelated = await second.nearest(scope: "team:red", model: "chat", context: "ctx", vector: [0, 0, 1], threshold: 0.9, maxAge: nil)
        #expect(unrelated == nil, "below the threshold")
        #expect(try await first.purge(model: nil) == 2)
        #expect(await second.nearest(scope: "team:red", model: "chat", context: "ctx", vector: [1, 0, 0], threshold: 0.9, maxAge: nil) == nil)
        #expect(store.candidateReads.last == false, "a purge makes the next search load the group whole")
    }

    @Test("a group held at a recent refresh is searched without asking the store for candidates")
    func semanticHeld() async {
        let store = CountingCacheStore()
        let only = replica(store, revalidateAfter: .seconds(60))
        only.keep(entry("north", context: "ctx", vector: [1, 0, 0]))
        await only.writer.flush()
        for _ in 0..<3 {
            #expect(await only.nearest(scope: "team:red", model: "chat", context: "ctx", vector: [1, 0, 0], threshold: 0.9, maxAge: nil)?.key == "north")
        }
        #expect(store.candidateReads == [false])
    }
}

/// A cache store in memory that records what it is asked: the keys of each lookup, and whether each candidate read
/// asked only for entries created since a time.
final class CountingCacheStore: CacheStore {
    private struct State {
        var entries: [String: CacheEntry] = [:]
        var versions: [String: Int] = [:]
        var lookups: [[String]] = []
        var candidateReads: [Bool] = []
        var versionReads = 0
    }

    private let state = Mutex(State())

    var lookups: [[String]] { state.withLock { $0.lookups } }
    var candidateReads: [Bool] { state.withLock { $0.candidateReads } }
    var versionReads: Int { state.withLock { $0.versionReads } }

    private static func name(_ scope: String, _ key: String) -> String { scope + "\n" + key }

    func cacheEntries(scope: String, keys: [String], now: Date) async throws -> [CacheEntry] {
        state.withLock { state in
            state.lookups.append(keys.sorted())
            return keys.compactMap { state.entries[Self.name(scope, $0)] }.filter { $0.expiresAt > now }
        }
    }

    func storeCacheEntries(_ entries: [CacheEntry]) async throws {
        state.withLock { state in
            for entry in entries { state.entries[Self.name(entry.scope, entry.key)] = entry }
        }
    }

    func semanticCandidates(scope: String, model: String, context: String, createdSince: Date?, now: Date) async throws -> [CacheEntry] {
        state.withLock { state in
            state.candidateReads.append(createdSince != nil)
            return state.entries.values
                .filter { $0.scope == scope && $0.model == model && $0.context == context && $0.vector != nil && $0.expiresAt > now }
                .filter { entry in createdSince.map { entry.createdAt >= $0 } ?? true }
                .sorted { $0.createdAt > $1.createdAt }
        }
    }

    func cacheVersion(scope: String) async throws -> Int {
        state.withLock { state in
            state.versionReads += 1
            return state.versions[scope] ?? 0
        }
    }

    func purgeCache(model: String?) async throws -> Int {
        state.withLock { state in
            let doomed = state.entries.filter { model == nil || $0.value.model == model }
            for (name, entry) in doomed {
                state.entries[name] = nil
                state.versions[entry.scope, default: 0] += 1
            }
            return doomed.count
        }
    }

    func pruneCache(before cutoff: Date) async throws -> Int { 0 }
}
