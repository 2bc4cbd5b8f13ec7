public import Foundation
public import NIOCore

/// One answer kept by the response cache.
public struct CacheEntry: Sendable, Equatable {
    /// Whose it is: `team:<id>`, `key:<id>` (a key without a team) or `master`. Only the same scope reads it.
    public var scope: String
    /// The exact key: hex SHA-256 of the public model and the normalised hub request.
    public var key: String
    /// The public model name.
    public var model: String
    /// The answer: a hub `chat.completion`, or one embedding vector's JSON for embeddings entries.
    public var body: ByteBuffer
    /// For semantic lookup: hex SHA-256 of the request without its last user message (entries are candidates only
    /// when the rest of the request is identical); nil when the entry takes no part in semantic lookup.
    public var context: String?
    /// For semantic lookup: the embedding of the last user message.
    public var vector: [Float]?
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        scope: String, key: String, model: String, body: ByteBuffer, context: String? = nil, vector: [Float]? = nil, createdAt: Date,
        expiresAt: Date
    ) {
        self.scope = scope
        self.key = key
        self.model = model
        self.body = body
        self.context = context
        self.vector = vector
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Where cached answers are kept, shared by every replica.
public protocol CacheStore: Sendable {
    /// The entry `key` of `scope`, if it has not expired at `now`.
    func cacheEntry(scope: String, key: String, now: Date) async throws -> CacheEntry?
    /// Stores entries, replacing any with the same scope and key; bumps the version of every scope written.
    func storeCacheEntries(_ entries: [CacheEntry]) async throws
    /// The unexpired entries of `scope` for `model` with `context`, that carry a vector: the candidates of a
    /// semantic lookup.
    func semanticCandidates(scope: String, model: String, context: String, now: Date) async throws -> [CacheEntry]
    /// A number that changes whenever `scope`'s entries change (stored, purged): a replica's in-memory copy of the
    /// scope is current while the version is the same.
    func cacheVersion(scope: String) async throws -> Int
    /// Deletes every entry, or those of one model; returns how many.
    @discardableResult
    func purgeCache(model: String?) async throws -> Int
    /// Deletes the entries that expired before `cutoff`; returns how many.
    @discardableResult
    func pruneCache(before cutoff: Date) async throws -> Int
}
