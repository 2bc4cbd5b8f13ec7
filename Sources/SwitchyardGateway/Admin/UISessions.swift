package import Foundation
package import SwitchyardCore

/// The admin web UI's sessions: started by signing in with the master key, recognised by a random cookie (only its
/// digest is kept, in storage, so every replica knows it), ended by signing out or when they expire. Each carries
/// the CSRF token its mutating requests must send.
package struct UISessions: Sendable {
    let store: any SessionStore
    /// How long a session lasts from sign-in.
    package let lifetime: Duration
    /// The current master key's digest: sessions signed in with another key are not recognised.
    let masterKeyDigest: String
    let now: @Sendable () -> Date

    package init(store: any SessionStore, lifetime: Duration, masterKey: SecretDigest, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.lifetime = lifetime
        masterKeyDigest = masterKey.hex
        self.now = now
    }

    /// Starts a session: the cookie value to give the browser, and the session.
    package func start() async throws -> (cookie: String, session: UISession) {
        let cookie = SecretGenerator.makeKey(prefix: "")
        let time = now()
        let session = UISession(
            digest: SecretDigest(of: cookie).hex, csrfToken: SecretGenerator.makeKey(prefix: ""), keyDigest: masterKeyDigest, createdAt: time,
            expiresAt: time.addingTimeInterval(Double(lifetime.components.seconds)))
        try await store.insert(session)
        return (cookie, session)
    }

    /// Whether `cookie` has the shape of a session's value (48 ASCII letters and digits).
    package static func isWellFormed(_ cookie: Substring) -> Bool {
        cookie.utf8.count == 48 && cookie.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    }

    /// The session `cookie` names, if it exists and has not expired.
    package func session(cookie: Substring) async throws -> UISession? {
        guard Self.isWellFormed(cookie) else { return nil }
        guard let session = try await store.session(digest: SecretDigest(of: cookie).hex), session.expiresAt > now(),
            let signedInWith = SecretDigest(hex: session.keyDigest), let current = SecretDigest(hex: masterKeyDigest), signedInWith.matches(current)
        else { return nil }
        return session
    }

    /// Whether `given` is the session's CSRF token, compared in constant time.
    package static func matches(_ given: String?, token: String) -> Bool {
        guard let given else { return false }
        return SecretDigest(of: given).matches(SecretDigest(of: token))
    }

    /// Ends the session `cookie` names.
    package func end(cookie: Substring) async throws {
        try await store.deleteSession(digest: SecretDigest(of: cookie).hex)
    }
}
