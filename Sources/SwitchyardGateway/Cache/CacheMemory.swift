import NIOCore
public import SwitchyardCore

/// The cache's entries held in memory, least recently used first out, bounded by count and by bytes. A value type
/// with no locking of its own: ``ResponseCache`` keeps it behind a mutex.
public struct CacheMemory {
    /// An entry and the version of its scope when it was read or written.
    public struct Slot {
        public var entry: CacheEntry
        public var scopeVersion: Int?
        fileprivate var previous: Int?
        fileprivate var next: Int?
        fileprivate var name: String
    }

    private(set) var maxEntries: Int
    private(set) var maxBytes: Int
    private var indexes: [String: Int] = [:]
    private var slots: [Slot?] = []
    private var free: [Int] = []
    /// Most recently used.
    private var head: Int?
    /// Least recently used: the next to go.
    private var tail: Int?
    private(set) var bytes = 0

    public init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
    }

    var count: Int { indexes.count }

    static func name(scope: String, key: String) -> String { scope + "\n" + key }

    /// The slot for `key` of `scope`, now the most recently used.
    public mutating func slot(scope: String, key: String) -> Slot? {
        guard let index = indexes[Self.name(scope: scope, key: key)] else { return nil }
        moveToFront(index)
        return slots[index]
    }

    /// Keeps `entry`, replacing one with the same scope and key, then evicts until within bounds. An entry larger
    /// than the whole byte bound is not kept.
    public mutating func insert(_ entry: CacheEntry, scopeVersion: Int?) {
        let name = Self.name(scope: entry.scope, key: entry.key)
        remove(name: name)
        let size = Self.size(of: entry)
        guard size <= maxBytes else { return }
        let slot = Slot(entry: entry, scopeVersion: scopeVersion, previous: nil, next: head, name: name)
        let index: Int
        if let reused = free.popLast() {
            slots[reused] = slot
            index = reused
        } else {
            slots.append(slot)
            index = slots.count - 1
        }
        if let head { slots[head]?.previous = index }
        head = index
        if tail == nil { tail = index }
        indexes[name] = index
        bytes += size
        evictBeyondBounds()
    }

    /// New bounds; the least recently used entries beyond them go.
    public mutating func resize(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
        evictBeyondBounds()
    }

    private mutating func evictBeyondBounds() {
        while indexes.count > maxEntries || bytes > maxBytes, let last = tail, let lastName = slots[last]?.name {
            remove(name: lastName)
        }
    }

    mutating func remove(scope: String, key: String) { remove(name: Self.name(scope: scope, key: key)) }

    /// Drops every entry, or those of one model.
    mutating func removeAll(model: String?) {
        for (name, index) in indexes where model == nil || slots[index]?.entry.model == model {
            remove(name: name)
        }
    }

    private mutating func remove(name: String) {
        guard let index = indexes.removeValue(forKey: name), let slot = slots[index] else { return }
        unlink(index, slot)
        bytes -= Self.size(of: slot.entry)
        slots[index] = nil
        free.append(index)
    }

    private mutating func moveToFront(_ index: Int) {
        guard head != index, let slot = slots[index] else { return }
        unlink(index, slot)
        slots[index]?.previous = nil
        slots[index]?.next = head
        if let head { slots[head]?.previous = index }
        head = index
        if tail == nil { tail = index }
    }

    private mutating func unlink(_ index: Int, _ slot: Slot) {
        if let previous = slot.previous { slots[previous]?.next = slot.next } else if head == index { head = slot.next }
        if let next = slot.next { slots[next]?.previous = slot.previous } else if tail == index { tail = slot.previous }
    }

    /// What an entry costs in memory: its body and vector, and a little for the rest.
    static func size(of entry: CacheEntry) -> Int {
        entry.body.readableBytes + (entry.vector?.count ?? 0) * 4 + entry.key.utf8.count + entry.scope.utf8.count + entry.model.utf8.count + 64
    }
}
