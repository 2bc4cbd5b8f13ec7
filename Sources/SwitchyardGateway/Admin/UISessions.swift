package import Foundation
package import SwitchyardCore

/// The admin web UI's sessions: started by signing in with the master key, recognised by a random cookie (only its
/// digest is kept, in storage, so every replica knows it), ended by signing out or when they expire. Each carries
/// the CSRF token its mutating requests must send.
package struct UISessions: Sendable {
    let store: any SessionStore
    /// How long a session lasts from sign-in.
    package let lifetime: Duration
    let now: @Sendable () -> Date

    package init(store: any SessionStore, lifetime: Duration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.lifetime = lifetime
        self.now = now
    }

    /// Starts a session: the cookie value to give the browser, and the session.
    package func start() async throws -> (cookie: String, session: UISession) {
        let cookie = SecretGenerator.makeKey(prefix: "")
        let time = now()
        let session = UISession(
            digest: SecretDigest(of: cookie).hex, csrfToken: SecretGenerator.makeKey(prefix: ""), createdAt: time,
            expiresAt: time.addingTimeInterval(Double(lifetime.components.seconds)))
        try await store.insert(session)
        return (cookie, session)
    }

    /// The session `cookie` names, if it exists and has not expired.
    package func session(cookie: Substring) async throws -> UISession? {
        guard cookie.utf8.count == 48, cookie.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        guard let session = try await store.session(digest: SecretDigest(of: cookie).hex), session.expiresAt > now() else { return nil }
        return session
    }

    /// Ends the session `cookie` names.
    package func end(cookie: Substring) async throws {
        try await store.deleteSession(digest: SecretDigest(of: cookie).hex)
    }
}
