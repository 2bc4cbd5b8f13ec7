public import Foundation

/// One durable fact about a user, as long-term memory keeps it.
public struct Memory: Sendable, Equatable {
    /// `mem_…`.
    public var id: String
    /// The tenant: memories are per user within it.
    public var scope: String
    /// The user the fact is about, as requests name them (`user` or `safety_identifier`).
    public var user: String
    public var text: String
    /// The fact's embedding, for recall and deduplication.
    public var vector: [Float]
    public var createdAt: Date

    public init(id: String, scope: String, user: String, text: String, vector: [Float], createdAt: Date) {
        self.id = id
        self.scope = scope
        self.user = user
        self.text = text
        self.vector = vector
        self.createdAt = createdAt
    }
}

/// Where long-term memories are kept, shared by every replica.
public protocol MemoryStore: Sendable {
    /// The memories of `user` in `scope` (every tenant's user of that name when `scope` is nil), oldest first.
    func memories(scope: String?, user: String) async throws -> [Memory]
    func insertMemories(_ memories: [Memory]) async throws
    /// Deletes one memory of `scope` (any tenant's when nil); returns whether there was one.
    func deleteMemory(id: String, scope: String?) async throws -> Bool
    /// Deletes every memory of `user` in `scope` (in every tenant when nil) and notes when: turns queued before
    /// then are not learned from. Returns how many went.
    func deleteMemories(scope: String?, user: String) async throws -> Int
    /// When `user` of `scope` was last forgotten (by their tenant or the operator); nil when never.
    func forgottenAt(scope: String, user: String) async throws -> Date?
    /// Deletes the oldest memories of `user` in `scope` beyond the newest `keeping`.
    func trimMemories(scope: String, user: String, keeping: Int) async throws
}
