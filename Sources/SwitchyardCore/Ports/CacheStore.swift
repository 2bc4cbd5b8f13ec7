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
    /// The entries of `scope` among `keys` that have not expired at `now`, in no particular order: one round trip
    /// for a whole embeddings batch.
    func cacheEntries(scope: String, keys: [String], now: Date) async throws -> [CacheEntry]
    /// Stores entries, replacing any with the same scope and key.
    func storeCacheEntries(_ entries: [CacheEntry]) async throws
    /// The unexpired entries of `scope` for `model` with `context` that carry a vector, newest first: the
    /// candidates of a semantic lookup; only those created at or after `createdSince` when it is given.
    func semanticCandidates(scope: String, model: String, context: String, createdSince: Date?, now: Date) async throws -> [CacheEntry]
    /// A number that changes whenever `scope`'s entries are purged: an entry a replica holds in memory may be
    /// served while its scope's version is the one it was read at. Storing entries moves no version, so a busy
    /// scope's writes never send other replicas back to the store.
    func cacheVersion(scope: String) async throws -> Int
    /// Deletes every entry, or those of one model; returns how many.
    @discardableResult
    func purgeCache(model: String?) async throws -> Int
    /// Deletes the entries that expired before `cutoff`; returns how many.
    @discardableResult
    func pruneCache(before cutoff: Date) async throws -> Int
}

extension CacheStore {
    /// The entry `key` of `scope`, if it has not expired at `now`.
    public func cacheEntry(scope: String, key: String, now: Date) async throws -> CacheEntry? {
        try await cacheEntries(scope: scope, keys: [key], now: now).first
    }

    /// Every unexpired semantic candidate of `scope`, `model` and `context`, newest first.
    public func semanticCandidates(scope: String, model: String, context: String, now: Date) async throws -> [CacheEntry] {
        try await semanticCandidates(scope: scope, model: model, context: context, createdSince: nil, now: now)
    }
}
