public import Foundation

/// Where the admin web UI's sessions are kept, so any replica recognises them.
public protocol SessionStore: Sendable {
    func insert(_ session: UISession) async throws
    func session(digest: String) async throws -> UISession?
    func deleteSession(digest: String) async throws
    /// Deletes the sessions that expired before `date`.
    func pruneSessions(before date: Date) async throws
}
