public import Foundation
import Synchronization

/// Decides whether a presented key is accepted.
public struct Authenticator: Sendable {
    private let masterKey: SecretDigest
    private let directory: KeyDirectory
    /// How long keys are trusted without storage confirming them; past it, virtual keys are refused (fail
    /// closed: a deleted or rotated key must not keep working on a replica cut off from the database).
    private let maxStaleness: Duration

    public init(masterKey: SecretDigest, directory: KeyDirectory = KeyDirectory(), maxStaleness: Duration = .seconds(300)) {
        self.masterKey = masterKey
        self.directory = directory
        self.maxStaleness = maxStaleness
    }

    /// The caller behind `key`.
    /// - Throws: 401 ``GatewayError`` when no key was sent, or the key is unknown, deleted or expired; 503 for a
    ///   virtual key when storage has not confirmed the keys for longer than the staleness allowed.
    public func authenticate(
        _ key: (some StringProtocol)?, now: Date = Date(), at instant: ContinuousClock.Instant = .now
    ) throws(GatewayError) -> Caller {
        guard let key, !key.isEmpty else { throw .missingKey() }
        let digest = SecretDigest(of: key)
        if masterKey.matches(digest) { return .master }
        let (found, verifiedAt) = directory.verifiedGrant(for: digest)
        if instant - verifiedAt > maxStaleness {
            var error = GatewayError(
                status: 503, kind: .api, code: "keys_unverified",
                message: "This gateway replica cannot reach its storage to verify API keys; virtual keys are refused until it can.")
            error.retryAfterSeconds = 5
            throw error
        }
        guard let grant = found else { throw .invalidKey() }
        if let expiry = grant.key.expiresAt, expiry <= now {
            throw GatewayError(status: 401, kind: .authentication, code: "expired_api_key", message: "The API key expired.")
        }
        return .virtualKey(grant)
    }
}
