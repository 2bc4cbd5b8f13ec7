/// The gateway's persistent state, as the rest of the gateway sees it.
public protocol GatewayStore: KeyStore, UsageStore, LimitCounterStore, RequestLogStore, ResponseStore, IdempotencyStore {
    /// The digest of the stored master key, if one was generated earlier.
    func masterKeyDigest() async throws -> SecretDigest?
    /// Keeps the digest of a newly generated master key.
    func saveMasterKeyDigest(_ digest: SecretDigest) async throws
    /// Throws when the store cannot be reached.
    func checkHealth() async throws
    /// Releases connections.
    func close() async throws
}
