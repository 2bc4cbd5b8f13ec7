public import Foundation

/// A summary of a conversation's oldest turns, written by a model's `summarize_with` model, kept under the digest
/// of the turns it covers (so any request whose history starts with them, conversation or not, finds it).
public struct ContextSummary: Sendable, Equatable {
    /// Whose it is: the caller's tenant.
    public var scope: String
    /// The digest of the summarizing model and the turns covered.
    public var key: String
    public var summary: String
    /// How many turns it covers.
    public var turns: Int
    public var createdAt: Date

    public init(scope: String, key: String, summary: String, turns: Int, createdAt: Date) {
        self.scope = scope
        self.key = key
        self.summary = summary
        self.turns = turns
        self.createdAt = createdAt
    }
}

/// The embedding of one turn's text by an embedding model, kept under the digest of both.
public struct ContextEmbedding: Sendable, Equatable {
    public var scope: String
    public var key: String
    public var vector: [Float]
    public var createdAt: Date

    public init(scope: String, key: String, vector: [Float], createdAt: Date) {
        self.scope = scope
        self.key = key
        self.vector = vector
        self.createdAt = createdAt
    }
}

/// Where context management keeps summaries and turn embeddings, so each is made once, shared by replicas.
public protocol ContextStore: Sendable {
    /// The summaries of `scope` among `keys`.
    func contextSummaries(scope: String, keys: [String]) async throws -> [ContextSummary]
    func storeContextSummaries(_ summaries: [ContextSummary]) async throws
    /// The embeddings of `scope` among `keys`.
    func contextEmbeddings(scope: String, keys: [String]) async throws -> [ContextEmbedding]
    func storeContextEmbeddings(_ embeddings: [ContextEmbedding]) async throws
    /// Deletes summaries and embeddings made before `cutoff`; returns how many.
    @discardableResult
    func pruneContext(before cutoff: Date) async throws -> Int
}
