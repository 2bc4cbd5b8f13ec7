public import Foundation

/// A signed-in session of the admin web UI.
public struct UISession: Sendable, Equatable {
    /// The SHA-256 digest of the session's cookie value (the value itself is never kept).
    public var digest: String
    /// The token every mutating request of the session must carry (`x-csrf-token`).
    public var csrfToken: String
    /// The digest of the master key the session was signed in with: a session ends when the master key changes.
    public var keyDigest: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(digest: String, csrfToken: String, keyDigest: String, createdAt: Date, expiresAt: Date) {
        self.digest = digest
        self.csrfToken = csrfToken
        self.keyDigest = keyDigest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
