public import Foundation

/// A file uploaded for knowledge bases (`purpose` assistants or user_data), as the gateway keeps it.
public struct StoredFile: Sendable, Equatable {
    /// `file-…`.
    public var id: String
    /// Whose it is: the caller's tenant.
    public var scope: String
    public var filename: String
    public var purpose: String
    /// The file's size.
    public var bytes: Int
    /// The file as uploaded; empty when it was read without it.
    public var content: Data
    public var createdAt: Date

    public init(id: String, scope: String, filename: String, purpose: String, bytes: Int? = nil, content: Data, createdAt: Date) {
        self.id = id
        self.scope = scope
        self.filename = filename
        self.purpose = purpose
        self.bytes = bytes ?? content.count
        self.content = content
        self.createdAt = createdAt
    }
}

/// Where uploaded files are kept, shared by every replica. Reads take a scope: another tenant's file is not found;
/// a nil scope (the master key) reads any.
public protocol FileStore: Sendable {
    func insertFile(_ file: StoredFile) async throws
    /// The file `id` without its content (`content` empty), or with it when `withContent`.
    func file(id: String, scope: String?, withContent: Bool) async throws -> StoredFile?
    /// A page of files without their content, newest first unless `ascending`, after the file `after`, of one
    /// purpose when given.
    func files(scope: String?, purpose: String?, after: String?, limit: Int, ascending: Bool) async throws -> [StoredFile]
    func deleteFile(id: String, scope: String?) async throws -> Bool
}
