import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardGateway

/// The cache's in-memory entries: least recently used out first, bounded by count and by bytes, and the linked list
/// behind the order kept consistent through any mix of inserts, reads and removals.
@Suite("Cache memory")
struct CacheMemoryTests {
    static let scope = "team:a"
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    static func entry(_ key: String, scope: String = "team:a", model: String = "chat", bodyBytes: Int = 10) -> CacheEntry {
        CacheEntry(
            scope: scope, key: key, model: model, body: ByteBuffer(repeating: UInt8(ascii: "x"), count: bodyBytes), createdAt: epoch,
            expiresAt: epoch.addingTimeInterval(3600))
    }

    /// Which of `keys` (of `scope`) the memory holds, read from a copy so the order of `memory` stays as it is.
    static func kept(_ memory: CacheMemory, among keys: [String], scope: String = "team:a") -> Set<String> {
        var copy = memory
        var found: Set<String> = []
        for key in keys where copy.slot(scope: scope, key: key) != nil { found.insert(key) }
        return found
    }

    /// The entry `memory` holds for `key`, read from a copy so the order of `memory` stays as it is.
    static func held(_ memory: CacheMemory, _ key: String, scope: String = "team:a") -> CacheEntry? {
        var copy = memory
        return copy.slot(scope: scope, key: key)?.entry
    }

    @Test("with no reads, the oldest entry goes first")
    func oldestGoesFirst() {
        var memory = CacheMemory(maxEntries: 3, maxBytes: 1 << 20)
        for key in ["a", "b", "c", "d"] { memory.insert(Self.entry(key), scopeVersion: nil) }
        #expect(memory.count == 3)
        #expect(Self.kept(memory, among: ["a", "b", "c", "d"]) == ["b", "c", "d"])
    }

    @Test("a read moves an entry to the front: the least recently used goes first")
    func readMovesToFront() throws {
        var memory = CacheMemory(maxEntries: 3, maxBytes: 1 << 20)
        for key in ["a", "b", "c"] { memory.insert(Self.entry(key), scopeVersion: nil) }
        let read = memory.slot(scope: Self.scope, key: "a")
        #expect(read?.entry.key == "a")
        // Most recent first: a, c, b. Inserting d evicts b; inserting e then evicts c.
        memory.insert(Self.entry("d"), scopeVersion: nil)
        memory.insert(Self.entry("e"), scopeVersion: nil)
        #expect(memory.count == 3)
        #expect(Self.kept(memory, among: ["a", "b", "c", "d", "e"]) == ["a", "d", "e"])
    }

    @Test("a read of the least recently used entry, the tail, keeps the list whole")
    func readOfTheTail() {
        var memory = CacheMemory(maxEntries: 2, maxBytes: 1 << 20)
        memory.insert(Self.entry("a"), scopeVersion: nil)
        memory.insert(Self.entry("b"), scopeVersion: nil)
        let tail = memory.slot(scope: Self.scope, key: "a")?.entry
        #expect(tail?.key == "a")
        // b is now the tail.
        memory.insert(Self.entry("c"), scopeVersion: nil)
        #expect(memory.count == 2)
        let head = memory.slot(scope: Self.scope, key: "c")?.entry
        #expect(head?.key == "c", "reading the head leaves it in place")
        memory.insert(Self.entry("d"), scopeVersion: nil)
        // Order before d: c, a; so a goes.
        #expect(Self.kept(memory, among: ["a", "b", "c", "d"]) == ["c", "d"])
    }

    @Test("the entry bound: never more entries than allowed; a bound below 1 counts as 1")
    func entryBound() {
        var memory = CacheMemory(maxEntries: 2, maxBytes: 1 << 20)
        for key in ["a", "b", "c", "d", "e"] {
            memory.insert(Self.entry(key), scopeVersion: nil)
            #expect(memory.count <= 2)
        }
        #expect(memory.count == 2)
        #expect(memory.bytes == 2 * CacheMemory.size(of: Self.entry("a")))
        #expect(Self.kept(memory, among: ["a", "b", "c", "d", "e"]) == ["d", "e"])

        var single = CacheMemory(maxEntries: 0, maxBytes: 1 << 20)
        #expect(single.maxEntries == 1)
        single.insert(Self.entry("a"), scopeVersion: nil)
        single.insert(Self.entry("b"), scopeVersion: nil)
        #expect(single.count == 1)
        #expect(Self.kept(single, among: ["a", "b"]) == ["b"])
    }

    @Test("the byte bound: the least recently used go until the new entry fits")
    func byteBound() {
        let size = CacheMemory.size(of: Self.entry("a", bodyBytes: 100))
        var memory = CacheMemory(maxEntries: 100, maxBytes: size * 3)
        for key in ["a", "b", "c"] { memory.insert(Self.entry(key, bodyBytes: 100), scopeVersion: nil) }
        #expect(memory.count == 3)
        #expect(memory.bytes == size * 3)

        memory.insert(Self.entry("d", bodyBytes: 100), scopeVersion: nil)
        #expect(memory.count == 3)
        #expect(memory.bytes == size * 3)

        // Nearly twice the size of the others: b and c must both go for it to fit.
        let big = Self.entry("e", bodyBytes: 100 + size - 10)
        let bigSize = CacheMemory.size(of: big)
        #expect(bigSize > size && bigSize <= 2 * size)
        memory.insert(big, scopeVersion: nil)
        #expect(memory.bytes <= memory.maxBytes)
        #expect(memory.count == 2)
        #expect(memory.bytes == size + bigSize)
        #expect(Self.kept(memory, among: ["a", "b", "c", "d", "e"]) == ["d", "e"])
    }

    @Test("an entry larger than the whole byte bound is not kept, and evicts nothing")
    func oversizedEntry() {
        var memory = CacheMemory(maxEntries: 10, maxBytes: 1024)
        let small = Self.entry("a", bodyBytes: 10)
        memory.insert(small, scopeVersion: nil)
        let huge = Self.entry("b", bodyBytes: 2000)
        #expect(CacheMemory.size(of: huge) > 1024)
        memory.insert(huge, scopeVersion: nil)
        #expect(memory.count == 1)
        #expect(memory.bytes == CacheMemory.size(of: small))
        #expect(Self.kept(memory, among: ["a", "b"]) == ["a"])
    }

    @Test("an oversized answer for a key already held replaces it: the older answer is not left behind")
    func oversizedReplacement() {
        var memory = CacheMemory(maxEntries: 10, maxBytes: 1024)
        memory.insert(Self.entry("a", bodyBytes: 10), scopeVersion: 1)
        memory.insert(Self.entry("a", bodyBytes: 2000), scopeVersion: 2)
        #expect(memory.count == 0)
        #expect(memory.bytes == 0)
        #expect(Self.held(memory, "a") == nil)
    }

    @Test("replacing an entry of the same scope and key counts its bytes once, and keeps the new one")
    func replacementCountsOnce() throws {
        var memory = CacheMemory(maxEntries: 10, maxBytes: 1 << 20)
        memory.insert(Self.entry("a", bodyBytes: 100), scopeVersion: 1)
        let replacement = Self.entry("a", bodyBytes: 300)
        memory.insert(replacement, scopeVersion: 7)
        #expect(memory.count == 1)
        #expect(memory.bytes == CacheMemory.size(of: replacement))
        let found = memory.slot(scope: Self.scope, key: "a")
        let slot = try #require(found)
        #expect(slot.entry.body.readableBytes == 300)
        #expect(slot.scopeVersion == 7)

        // The same key in another scope is another entry.
        let other = Self.entry("a", scope: "team:b", bodyBytes: 100)
        memory.insert(other, scopeVersion: nil)
        #expect(memory.count == 2)
        #expect(memory.bytes == CacheMemory.size(of: replacement) + CacheMemory.size(of: other))
        let foundOther = memory.slot(scope: "team:b", key: "a")
        let otherSlot = try #require(foundOther)
        #expect(otherSlot.entry.body.readableBytes == 100)
        #expect(otherSlot.scopeVersion == nil)
    }

    @Test("remove takes one entry out and gives its bytes back")
    func removeOne() {
        var memory = CacheMemory(maxEntries: 10, maxBytes: 1 << 20)
        let first = Self.entry("a", bodyBytes: 40)
        let second = Self.entry("b", bodyBytes: 70)
        memory.insert(first, scopeVersion: nil)
        memory.insert(second, scopeVersion: nil)
        memory.remove(scope: Self.scope, key: "a")
        memory.remove(scope: Self.scope, key: "missing")
        memory.remove(scope: "team:b", key: "b")
        #expect(memory.count == 1)
        #expect(memory.bytes == CacheMemory.size(of: second))
        #expect(Self.kept(memory, among: ["a", "b"]) == ["b"])
    }

    @Test("removeAll(model:) removes only that model's entries, in every scope; nil removes everything")
    func removeAllOfModel() {
        var memory = CacheMemory(maxEntries: 10, maxBytes: 1 << 20)
        let embedding = Self.entry("b", model: "embed", bodyBytes: 33)
        memory.insert(Self.entry("a", model: "chat"), scopeVersion: nil)
        memory.insert(embedding, scopeVersion: nil)
        memory.insert(Self.entry("c", model: "chat"), scopeVersion: nil)
        memory.insert(Self.entry("d", scope: "team:b", model: "chat"), scopeVersion: nil)

        memory.removeAll(model: "chat")
        #expect(memory.count == 1)
        #expect(memory.bytes == CacheMemory.size(of: embedding))
        #expect(Self.kept(memory, among: ["a", "b", "c"]) == ["b"])
        #expect(Self.kept(memory, among: ["d"], scope: "team:b").isEmpty)

        memory.removeAll(model: "nothing-by-this-name")
        #expect(memory.count == 1)

        memory.removeAll(model: nil)
        #expect(memory.count == 0)
        #expect(memory.bytes == 0)

        // Emptied, the list starts over cleanly: the bound still evicts the oldest.
        var bounded = CacheMemory(maxEntries: 2, maxBytes: 1 << 20)
        for key in ["a", "b", "c"] { bounded.insert(Self.entry(key), scopeVersion: nil) }
        bounded.removeAll(model: nil)
        #expect(bounded.count == 0)
        #expect(bounded.bytes == 0)
        for key in ["x", "y", "z"] { bounded.insert(Self.entry(key), scopeVersion: nil) }
        #expect(bounded.count == 2)
        #expect(bounded.bytes == 2 * CacheMemory.size(of: Self.entry("x")))
        #expect(Self.kept(bounded, among: ["a", "b", "c", "x", "y", "z"]) == ["y", "z"])
    }

    @Test("1000 random inserts into a small bound: the most recent distinct keys are kept, each retrievable")
    func randomInserts() throws {
        var generator = SeededGenerator(seed: 42)
        var memory = CacheMemory(maxEntries: 16, maxBytes: 1 << 20)
        let universe = (0..<200).map { "key-\($0)" }
        var inserted: [String] = []
        for _ in 0..<1000 {
            let key = universe[Int.random(in: 0..<universe.count, using: &generator)]
            memory.insert(Self.entry(key, bodyBytes: 20), scopeVersion: nil)
            inserted.append(key)
            #expect(memory.count <= 16)
        }
        var expected: [String] = []
        for key in inserted.reversed() where !expected.contains(key) && expected.count < 16 { expected.append(key) }
        #expect(memory.count == 16)
        let expectedBytes = expected.reduce(0) { total, key in total + CacheMemory.size(of: Self.entry(key, bodyBytes: 20)) }
        #expect(memory.bytes == expectedBytes)
        // Least recently used first, so reading does not change which are kept.
        for key in expected.reversed() {
            let found = memory.slot(scope: Self.scope, key: key)
            let slot = try #require(found)
            #expect(slot.entry.key == key)
        }
        #expect(Self.kept(memory, among: universe) == Set(expected))
    }

    @Test("random inserts, reads and removals agree with a plain reference LRU at every step")
    func agreesWithReference() throws {
        var generator = SeededGenerator(seed: 7)
        var memory = CacheMemory(maxEntries: 8, maxBytes: 2000)
        var reference = ReferenceLRU(maxEntries: 8, maxBytes: 2000)
        let scopes = ["team:a", "team:b", "key:k"]
        let keys = (0..<40).map { "k\($0)" }
        let models = ["chat", "embed"]
        var created = 0
        for step in 0..<5000 {
            let scope = scopes[Int.random(in: 0..<scopes.count, using: &generator)]
            let key = keys[Int.random(in: 0..<keys.count, using: &generator)]
            let roll = Int.random(in: 0..<100, using: &generator)
            switch roll {
            case 0..<55:
                let oversized = Int.random(in: 0..<50, using: &generator) == 0
                let bodyBytes = oversized ? 3000 : Int.random(in: 0...400, using: &generator)
                let model = models[Int.random(in: 0..<models.count, using: &generator)]
                created += 1
                // A creation time of its own, so a stale entry would not compare equal to the one that replaced it.
                var entry = Self.entry(key, scope: scope, model: model, bodyBytes: bodyBytes)
                entry.createdAt = Self.epoch.addingTimeInterval(Double(created))
                memory.insert(entry, scopeVersion: step)
                reference.insert(entry)
            case 55..<85:
                let found = memory.slot(scope: scope, key: key)?.entry
                let expected = reference.read(scope: scope, key: key)
                #expect(found == expected, "read of \(scope)/\(key) at step \(step)")
            case 85..<95:
                memory.remove(scope: scope, key: key)
                reference.remove(scope: scope, key: key)
            case 95..<99:
                let model = models[Int.random(in: 0..<models.count, using: &generator)]
                memory.removeAll(model: model)
                reference.removeAll(model: model)
            default:
                memory.removeAll(model: nil)
                reference.removeAll(model: nil)
            }
            #expect(memory.count == reference.order.count, "count at step \(step)")
            #expect(memory.bytes == reference.bytes, "bytes at step \(step)")
            #expect(memory.count <= 8)
            #expect(memory.bytes <= 2000)
            if step % 100 == 99 {
                try Self.verify(&memory, against: reference, scopes: scopes, keys: keys)
            }
        }
        try Self.verify(&memory, against: reference, scopes: scopes, keys: keys)
    }

    /// Every entry the reference holds is retrievable, unchanged (read from the least to the most recently used, so
    /// the order stays the same); nothing else is.
    static func verify(_ memory: inout CacheMemory, against reference: ReferenceLRU, scopes: [String], keys: [String]) throws {
        for expected in reference.order.reversed() {
            let found = memory.slot(scope: expected.scope, key: expected.key)
            let slot = try #require(found)
            #expect(slot.entry == expected)
        }
        let held = Set(reference.order.map { CacheMemory.name(scope: $0.scope, key: $0.key) })
        for scope in scopes {
            for key in keys where !held.contains(CacheMemory.name(scope: scope, key: key)) {
                let found = memory.slot(scope: scope, key: key)?.entry
                #expect(found == nil, "\(scope)/\(key) should not be held")
            }
        }
    }

    /// The obvious LRU, an array with the most recently used first, to compare with.
    struct ReferenceLRU {
        let maxEntries: Int
        let maxBytes: Int
        var order: [CacheEntry] = []

        init(maxEntries: Int, maxBytes: Int) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
        }

        var bytes: Int { order.reduce(0) { $0 + CacheMemory.size(of: $1) } }

        mutating func insert(_ entry: CacheEntry) {
            remove(scope: entry.scope, key: entry.key)
            guard CacheMemory.size(of: entry) <= maxBytes else { return }
            order.insert(entry, at: 0)
            while order.count > maxEntries || bytes > maxBytes { order.removeLast() }
        }

        mutating func read(scope: String, key: String) -> CacheEntry? {
            guard let index = order.firstIndex(where: { $0.scope == scope && $0.key == key }) else { return nil }
            let entry = order.remove(at: index)
            order.insert(entry, at: 0)
            return entry
        }

        mutating func remove(scope: String, key: String) {
            order.removeAll { $0.scope == scope && $0.key == key }
        }

        mutating func removeAll(model: String?) {
            order.removeAll { model == nil || $0.model == model }
        }
    }
}
