import Foundation
import SQLKit
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardStorage

@Suite("Response cache on SQLite and PostgreSQL")
struct CacheStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// An entry created a minute before ``now`` that expires `expiresIn` seconds after it.
    func entry(
        scope: String = "team:red", key: String = "k1", model: String = "chat", answer: String = "hello", context: String? = nil,
        vector: [Float]? = nil, expiresIn: TimeInterval = 3600
    ) -> CacheEntry {
        let body: JSONValue = ["object": "chat.completion", "model": .string(model), "answer": .string(answer)]
        return CacheEntry(
            scope: scope, key: key, model: model, body: body.encoded, context: context, vector: vector, createdAt: Self.now.addingTimeInterval(-60),
            expiresAt: Self.now.addingTimeInterval(expiresIn))
    }

    @Test("entries round-trip with a vector and without; a vector that is not whole floats reads as none", arguments: TestDatabase.available)
    func roundTrip(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let withVector = entry(key: "k1", context: "ctx", vector: [0.25, -1.5, 3.0e-8, .greatestFiniteMagnitude, 0])
            let plain = entry(key: "k2")
            try await store.storeCacheEntries([withVector, plain])
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now) == withVector)
            #expect(try await store.cacheEntry(scope: "team:red", key: "k2", now: Self.now) == plain)
            #expect(try await store.cacheEntry(scope: "team:red", key: "k3", now: Self.now) == nil)

            try await store.database.raw("UPDATE cache_entries SET vector = \(bind: Data([1, 2, 3])) WHERE key = 'k1'").run()
            let read = try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now)
            let damaged = try #require(read)
            #expect(damaged.vector == nil)
            #expect(damaged.context == "ctx")
            #expect(try await store.semanticCandidates(scope: "team:red", model: "chat", context: "ctx", now: Self.now).isEmpty)
        }
    }

    @Test("vectors are float32 little-endian; a length that is not a multiple of four decodes to nil")
    func vectorEncoding() {
        #expect(SQLGatewayStore.cacheVectorData([1, -2]) == Data([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]))
        #expect(SQLGatewayStore.cacheVectorData(nil) == nil)
        #expect(SQLGatewayStore.cacheVectorData([]) == nil)
        #expect(SQLGatewayStore.cacheVector(Data([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])) == [1, -2])
        #expect(SQLGatewayStore.cacheVector(Data([1, 2, 3])) == nil)
        #expect(SQLGatewayStore.cacheVector(Data([1, 2, 3, 4, 5])) == nil)
        #expect(SQLGatewayStore.cacheVector(Data()) == [])
        let vector: [Float] = (0..<1536).map { Float($0) * 0.001 - 0.75 }
        #expect(SQLGatewayStore.cacheVectorData(vector).flatMap(SQLGatewayStore.cacheVector) == vector)
    }

    @Test("an expired entry is invisible", arguments: TestDatabase.available)
    func expiry(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.storeCacheEntries([entry(key: "k1", expiresIn: 60), entry(key: "gone", expiresIn: -1)])
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now) != nil)
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now.addingTimeInterval(59)) != nil)
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now.addingTimeInterval(60)) == nil, "expired at its expiry")
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now.addingTimeInterval(3600)) == nil)
            #expect(try await store.cacheEntry(scope: "team:red", key: "gone", now: Self.now) == nil)
        }
    }

    @Test("storing a scope and key again replaces the entry, and the last of a batch wins", arguments: TestDatabase.available)
    func upsert(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.storeCacheEntries([entry(answer: "first", context: "c", vector: [1, 2])])
            let second = entry(model: "other", answer: "second", expiresIn: 7200)
            try await store.storeCacheEntries([second])
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now) == second)
            #expect(try await store.semanticCandidates(scope: "team:red", model: "chat", context: "c", now: Self.now).isEmpty)

            let last = entry(answer: "last", context: "c", vector: [3])
            try await store.storeCacheEntries([entry(answer: "earlier"), last])
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now) == last)
            #expect(try await store.purgeCache(model: nil) == 1, "one row per scope and key")
        }
    }

    @Test("another scope never sees an entry", arguments: TestDatabase.available)
    func scopeIsolation(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let red = entry(scope: "team:red", key: "shared", answer: "red", context: "c", vector: [1])
            try await store.storeCacheEntries([red])
            #expect(try await store.cacheEntry(scope: "team:blue", key: "shared", now: Self.now) == nil)
            #expect(try await store.cacheEntry(scope: "key:k_1", key: "shared", now: Self.now) == nil)
            #expect(try await store.cacheEntry(scope: "master", key: "shared", now: Self.now) == nil)
            #expect(try await store.semanticCandidates(scope: "team:blue", model: "chat", context: "c", now: Self.now).isEmpty)

            let blue = entry(scope: "team:blue", key: "shared", answer: "blue", context: "c", vector: [2])
            try await store.storeCacheEntries([blue])
            #expect(try await store.cacheEntry(scope: "team:red", key: "shared", now: Self.now) == red)
            #expect(try await store.cacheEntry(scope: "team:blue", key: "shared", now: Self.now) == blue)
        }
    }

    @Test("semantic candidates are the unexpired entries with a vector of one scope, model and context", arguments: TestDatabase.available)
    func semanticCandidates(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let match = entry(key: "match", context: "c", vector: [1, 0])
            let another = entry(key: "another", answer: "other answer", context: "c", vector: [0, 1])
            try await store.storeCacheEntries([
                match, another,
                entry(key: "no-vector", context: "c"),
                entry(key: "no-context", vector: [1, 0]),
                entry(key: "other-model", model: "other", context: "c", vector: [1, 0]),
                entry(key: "other-context", context: "d", vector: [1, 0]),
                entry(scope: "team:blue", key: "other-scope", context: "c", vector: [1, 0]),
                entry(key: "expired", context: "c", vector: [1, 0], expiresIn: -10),
            ])
            let candidates = try await store.semanticCandidates(scope: "team:red", model: "chat", context: "c", now: Self.now)
            #expect(Set(candidates.map(\.key)) == ["match", "another"])
            #expect(candidates.first { $0.key == "match" } == match)
            #expect(candidates.first { $0.key == "another" } == another)
            #expect(try await store.semanticCandidates(scope: "team:red", model: "chat", context: "c", now: Self.now.addingTimeInterval(3600)).isEmpty)
            #expect(try await store.semanticCandidates(scope: "team:blue", model: "chat", context: "c", now: Self.now).map(\.key) == ["other-scope"])
        }
    }

    @Test("a scope's version moves when its entries are purged, and only then: storing moves none", arguments: TestDatabase.available)
    func versions(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            func version(_ scope: String) async throws -> Int { try await store.cacheVersion(scope: scope) }
            #expect(try await version("team:red") == 0)

            try await store.storeCacheEntries([entry(scope: "team:red", key: "k1"), entry(scope: "team:red", key: "k2")])
            try await store.storeCacheEntries([entry(scope: "team:blue", key: "k1", model: "other")])
            try await store.storeCacheEntries([entry(scope: "team:red", key: "k1", answer: "again")])
            #expect(try await version("team:red") == 0, "writes send no replica back to the store")
            #expect(try await version("team:blue") == 0)

            // Reading, pruning and purging nothing move no version either.
            _ = try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now)
            #expect(try await store.pruneCache(before: Self.now) == 0)
            #expect(try await store.purgeCache(model: "missing") == 0)
            #expect(try await version("team:red") == 0)

            #expect(try await store.purgeCache(model: "other") == 1)
            let blue = try await version("team:blue")
            #expect(blue != 0)
            #expect(try await version("team:red") == 0, "a scope that lost nothing keeps its version")

            #expect(try await store.purgeCache(model: nil) == 2)
            #expect(try await version("team:red") != 0)
            #expect(try await version("team:blue") == blue)
        }
    }

    @Test("one lookup reads many keys of one scope: unexpired ones only, none of another scope, past the rows of one statement", arguments: TestDatabase.available)
    func batchedLookup(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let keys = (0..<1_200).map { "k\($0)" }
            try await store.storeCacheEntries(keys.map { entry(key: $0, answer: $0) })
            try await store.storeCacheEntries([
                entry(key: "expired", expiresIn: -1), entry(scope: "team:blue", key: "blue-only"),
            ])
            let wanted = keys.filter { $0.hasSuffix("7") } + ["expired", "blue-only", "missing", "k7"]
            let found = try await store.cacheEntries(scope: "team:red", keys: wanted, now: Self.now)
            #expect(found.count == 120, "each stored key once, repeats and missing keys ignored")
            #expect(Set(found.map(\.key)) == Set(keys.filter { $0.hasSuffix("7") }))
            #expect(found.allSatisfy { try! JSONValue(decoding: $0.body)["answer"]?.string == $0.key })
            #expect(try await store.cacheEntries(scope: "team:red", keys: [], now: Self.now).isEmpty)
        }
    }

    @Test("semantic candidates created since a time: only those, newest first", arguments: TestDatabase.available)
    func semanticCandidatesSince(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            func made(_ key: String, secondsAgo: TimeInterval) -> CacheEntry {
                var made = entry(key: key, context: "c", vector: [1, 0])
                made.createdAt = Self.now.addingTimeInterval(-secondsAgo)
                return made
            }
            try await store.storeCacheEntries([made("old", secondsAgo: 600), made("recent", secondsAgo: 20), made("newest", secondsAgo: 5)])
            let since = try await store.semanticCandidates(
                scope: "team:red", model: "chat", context: "c", createdSince: Self.now.addingTimeInterval(-30), now: Self.now)
            #expect(since.map(\.key) == ["newest", "recent"])
            #expect(try await store.semanticCandidates(scope: "team:red", model: "chat", context: "c", now: Self.now).map(\.key) == ["newest", "recent", "old"])
        }
    }

    @Test("purge removes every entry, or one model's", arguments: TestDatabase.available)
    func purge(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.storeCacheEntries([
                entry(scope: "team:red", key: "k1", model: "chat"), entry(scope: "team:red", key: "k2", model: "other"),
                entry(scope: "team:blue", key: "k1", model: "chat"), entry(scope: "team:blue", key: "k2", model: "other"),
                entry(scope: "master", key: "k3", model: "other", expiresIn: -10),
            ])
            #expect(try await store.purgeCache(model: "other") == 3, "expired entries of the model go too")
            #expect(try await store.cacheEntry(scope: "team:red", key: "k2", now: Self.now) == nil)
            #expect(try await store.cacheEntry(scope: "team:blue", key: "k2", now: Self.now) == nil)
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now) != nil)
            #expect(try await store.cacheEntry(scope: "team:blue", key: "k1", now: Self.now) != nil)

            #expect(try await store.purgeCache(model: nil) == 2)
            #expect(try await store.cacheEntry(scope: "team:red", key: "k1", now: Self.now) == nil)
            #expect(try await store.cacheEntry(scope: "team:blue", key: "k1", now: Self.now) == nil)
            #expect(try await store.purgeCache(model: nil) == 0)

            // In chunks smaller than the table, to walk the chunked delete.
            try await store.storeCacheEntries((0..<5).map { entry(scope: $0 % 2 == 0 ? "team:red" : "team:blue", key: "c\($0)") })
            let blue = try await store.cacheVersion(scope: "team:blue")
            #expect(try await store.purgeCache(model: nil, chunk: 2) == 5)
            #expect(try await store.cacheVersion(scope: "team:blue") != blue)
            #expect(try await store.purgeCache(model: nil) == 0)
        }
    }

    @Test("prune removes the entries that expired before the cutoff", arguments: TestDatabase.available)
    func prune(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.storeCacheEntries((1...4).map { entry(scope: $0 % 2 == 0 ? "team:red" : "team:blue", key: "p\($0)", expiresIn: Double($0) * 10) })
            // In chunks of one row, to walk the chunked delete.
            #expect(try await store.pruneCache(before: Self.now.addingTimeInterval(25), chunk: 1) == 2)
            #expect(try await store.cacheEntry(scope: "team:blue", key: "p1", now: Self.now) == nil)
            #expect(try await store.cacheEntry(scope: "team:red", key: "p2", now: Self.now) == nil)
            #expect(try await store.cacheEntry(scope: "team:blue", key: "p3", now: Self.now) != nil)
            #expect(try await store.cacheEntry(scope: "team:red", key: "p4", now: Self.now) != nil)
            #expect(try await store.pruneCache(before: Self.now.addingTimeInterval(25)) == 0)
            #expect(try await store.pruneCache(before: Self.now.addingTimeInterval(40)) == 1, "an entry expiring at the cutoff stays")
            #expect(try await store.purgeCache(model: nil) == 1)
        }
    }

    @Test("a body of a megabyte of text round-trips", arguments: TestDatabase.available)
    func largeBody(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let text = String(repeating: "héllo wörld ☃ \"quoted\" \\ back\nslash 😀 ", count: (1 << 20) / 40 + 1)
            #expect(text.utf8.count > 1 << 20)
            let body: JSONValue = ["object": "chat.completion", "choices": [["message": ["role": "assistant", "content": .string(text)]]]]
            var large = entry(key: "large", context: "c", vector: [0.5])
            large.body = body.encoded
            try await store.storeCacheEntries([large])
            let read = try await store.cacheEntry(scope: "team:red", key: "large", now: Self.now)
            let stored = try #require(read)
            #expect(stored == large)
            #expect(try JSONValue(decoding: stored.body) == body)
            #expect(try await store.semanticCandidates(scope: "team:red", model: "chat", context: "c", now: Self.now) == [large])
        }
    }

    @Test(
        "entries PostgreSQL refuses are told apart, and leave nothing behind",
        arguments: TestDatabase.available.filter { $0 == .postgres })
    func refusedRows(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            await #expect(throws: StorageRefusedRows.self) {
                try await store.storeCacheEntries([entry(key: "fine"), entry(key: "k\u{0}ey")])
            }
            #expect(try await store.cacheEntry(scope: "team:red", key: "fine", now: Self.now) == nil, "the batch is one transaction")
            try await store.storeCacheEntries([entry(key: "fine")])
            #expect(try await store.cacheEntry(scope: "team:red", key: "fine", now: Self.now) != nil)
        }
    }
}
