public import Foundation

/// A vector store: a tenant's searchable collection of files, cut into embedded chunks.
public struct StoredVectorStore: Sendable, Equatable {
    /// `vs_…`.
    public var id: String
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
    public enum Status: String, Sendable {
        case inProgress = "in_progress"
        case completed
        case failed
    }

    public var storeID: String
    public var fileID: String
    public var scope: String
    public var status: Status
    /// Why ingestion failed.
    public var lastError: String?
    /// Tokens per chunk, and tokens shared by consecutive chunks.
    public var maxChunkTokens: Int
    public var overlapTokens: Int
    /// Attributes search filters on (strings, numbers, booleans).
    public var attributes: [String: String]
    public var createdAt: Date

    public init(
        storeID: String, fileID: String, scope: String, status: Status, lastError: String? = nil, maxChunkTokens: Int, overlapTokens: Int,
        attributes: [String: String] = [:], createdAt: Date
    ) {
        self.storeID = storeID
        self.fileID = fileID
        self.scope = scope
        self.status = status
        self.lastError = lastError
        self.maxChunkTokens = maxChunkTokens
        self.overlapTokens = overlapTokens
        self.attributes = attributes
        self.createdAt = createdAt
    }
}

/// One embedded chunk of a file in a vector store.
public struct KnowledgeChunk: Sendable, Equatable {
    public var storeID: String
    public var fileID: String
    /// Its place in the file.
    public var position: Int
    public var text: String
    public var vector: [Float]

    public init(storeID: String, fileID: String, position: Int, text: String, vector: [Float]) {
        self.storeID = storeID
        self.fileID = fileID
        self.position = position
        self.text = text
        self.vector = vector
    }
}
