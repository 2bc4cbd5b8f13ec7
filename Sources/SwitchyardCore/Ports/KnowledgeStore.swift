public import Foundation
public import SwitchyardWire

/// A vector store: a tenant's searchable collection of files, cut into embedded chunks.
public struct StoredVectorStore: Sendable, Equatable {
    /// `vs_…`.
    public var id: String
    /// Whose it is: the caller's tenant.
    public var scope: String
    public var name: String
    public var metadata: [String: String]
    public var createdAt: Date

    public init(id: String, scope: String, name: String, metadata: [String: String], createdAt: Date) {
        self.id = id
        self.scope = scope
        self.name = name
        self.metadata = metadata
        self.createdAt = createdAt
    }
}

/// A file in a vector store, and where its ingestion stands.
public struct VectorStoreFile: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case inProgress = "in_progress"
        case completed
        case failed
    }

    public var storeID: String
    public var fileID: String
    /// The file's name when it was added (search results name it even after the file itself is deleted).
    public var filename: String
    public var status: Status
    /// Why ingestion failed.
    public var lastError: String?
    /// Tokens per chunk, and tokens shared by consecutive chunks.
    public var maxChunkTokens: Int
    public var overlapTokens: Int
    /// Attributes search filters on: strings, numbers and booleans.
    public var attributes: [String: JSONValue]
    /// The bytes of text its chunks hold, once ingested.
    public var usageBytes: Int
    /// The virtual key that added it, whose limits and spend its embeddings count against; nil for the master key.
    public var keyID: String?
    public var createdAt: Date

    public init(
        storeID: String, fileID: String, filename: String, status: Status, lastError: String? = nil, maxChunkTokens: Int, overlapTokens: Int,
        attributes: [String: JSONValue] = [:], usageBytes: Int = 0, keyID: String?, createdAt: Date
    ) {
        self.storeID = storeID
        self.fileID = fileID
        self.filename = filename
        self.status = status
        self.lastError = lastError
        self.maxChunkTokens = maxChunkTokens
        self.overlapTokens = overlapTokens
        self.attributes = attributes
        self.usageBytes = usageBytes
        self.keyID = keyID
        self.createdAt = createdAt
    }
}

/// One chunk of a file in a vector store, with its embedding.
public struct KnowledgeChunk: Sendable, Equatable {
    public var fileID: String
    /// Its place in the file, from 0.
    public var position: Int
    public var text: String
    /// Empty when the store's files were ingested without an embedding model (lexical search only).
    public var vector: [Float]

    public init(fileID: String, position: Int, text: String, vector: [Float]) {
        self.fileID = fileID
        self.position = position
        self.text = text
        self.vector = vector
    }
}

/// A chunk that matched a lexical query, best first.
public struct LexicalMatch: Sendable, Equatable {
    public var fileID: String
    public var position: Int

    public init(fileID: String, position: Int) {
        self.fileID = fileID
        self.position = position
    }
}

/// Where vector stores, their files and their chunks are kept, shared by every replica. A store's `version` moves
/// whenever what search sees changes (a file ingested, removed or given new attributes), so each replica's
/// in-memory copy of a store's vectors knows when it is stale.
public protocol KnowledgeStore: Sendable {
    func insertVectorStore(_ store: StoredVectorStore) async throws
    /// The store `id` of `scope` (any tenant's when nil).
    func vectorStore(id: String, scope: String?) async throws -> StoredVectorStore?
    /// A page of stores, newest first unless `ascending`, after the store `after`.
    func vectorStores(scope: String?, after: String?, limit: Int, ascending: Bool) async throws -> [StoredVectorStore]
    /// Saves a store's name and metadata.
    func updateVectorStore(_ store: StoredVectorStore) async throws
    /// Deletes a store with its files and chunks; returns whether there was one.
    func deleteVectorStore(id: String, scope: String?) async throws -> Bool
    /// Each store's number of files by status, and the bytes its chunks hold.
    func vectorStoreTotals(ids: [String]) async throws -> [String: (counts: [VectorStoreFile.Status: Int], usageBytes: Int)]
    /// Where what search sees of the store stands; nil when there is no such store.
    func vectorStoreVersion(id: String) async throws -> Int64?

    /// Adds a file to its store; false (and nothing changes) when the store already holds it.
    func insertVectorStoreFile(_ file: VectorStoreFile) async throws -> Bool
    func vectorStoreFile(storeID: String, fileID: String) async throws -> VectorStoreFile?
    /// A page of a store's files, of one status when given, newest first unless `ascending`, after the file `after`.
    func vectorStoreFiles(storeID: String, status: VectorStoreFile.Status?, after: String?, limit: Int, ascending: Bool) async throws
        -> [VectorStoreFile]
    /// Replaces a file's attributes; false when the store does not hold it.
    func updateVectorStoreFileAttributes(storeID: String, fileID: String, attributes: [String: JSONValue]) async throws -> Bool
    /// Removes a file and its chunks from a store; false when the store did not hold it.
    func deleteVectorStoreFile(storeID: String, fileID: String) async throws -> Bool

    /// Files still `in_progress` that no replica holds a claim on at `now` (a claim lapses at its time), oldest first.
    func unclaimedVectorStoreFiles(now: Date, limit: Int) async throws -> [VectorStoreFile]
    /// Claims an `in_progress` file for ingestion until `until`, under `token` (the claim's own random name); false
    /// when it is not in progress or another claim still holds at `now`. The calls that follow name the claim, and
    /// do nothing once it is no longer the file's (lapsed and taken by another, or the file removed and added again).
    func claimVectorStoreFile(storeID: String, fileID: String, token: String, until: Date, now: Date) async throws -> Bool
    /// Extends a claim to `until`; false when the file is no longer in progress under it (stop working on it).
    func renewVectorStoreFileClaim(storeID: String, fileID: String, token: String, until: Date) async throws -> Bool
    /// Stores a file's chunks (in place of any an interrupted attempt left) and marks it completed, in one
    /// transaction; false (nothing stored) when the file is no longer in progress under the claim.
    func completeVectorStoreFile(storeID: String, fileID: String, token: String, chunks: [KnowledgeChunk], usageBytes: Int) async throws -> Bool
    /// Lets go of a claim (its ingestion was stopped), so the next sweep of any replica takes the file.
    func releaseVectorStoreFile(storeID: String, fileID: String, token: String) async throws
    /// Marks a file in progress under the claim failed, with why.
    func failVectorStoreFile(storeID: String, fileID: String, token: String, error: String) async throws

    /// The chunks of a store's completed files (of `fileIDs` only, when given), with their vectors, by file and place.
    func knowledgeChunks(storeID: String, fileIDs: [String]?) async throws -> [KnowledgeChunk]
    /// The chunks of the store holding any of `terms` (words of letters and digits), best first by the database's
    /// full-text ranking: SQLite FTS5's bm25, PostgreSQL's ts_rank_cd.
    func lexicalMatches(storeID: String, terms: [String], limit: Int) async throws -> [LexicalMatch]
}

extension KnowledgeStore {
    /// Every chunk of a store's completed files.
    public func knowledgeChunks(storeID: String) async throws -> [KnowledgeChunk] { try await knowledgeChunks(storeID: storeID, fileIDs: nil) }
}
