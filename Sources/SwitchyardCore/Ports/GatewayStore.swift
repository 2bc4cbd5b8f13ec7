/// The gateway's persistent state, as the rest of the gateway sees it.
public protocol GatewayStore: KeyStore, UsageStore, LimitCounterStore, RequestLogStore, ResponseStore, IdempotencyStore, CacheStore, ConversationStore, ContextStore, MemoryStore, FileStore, KnowledgeStore, PromptStore, AnalyticsStore, SessionStore {
    /// The digest of the stored master key, if one was generated earlier.
    func masterKeyDigest() async throws -> SecretDigest?
    /// Keeps the digest of a newly generated master key.
    func saveMasterKeyDigest(_ digest: SecretDigest) async throws
    /// Throws when the store cannot be reached.
    func checkHealth() async throws
    /// Releases connections.
    func close() async throws
}

/// Storage refused the rows it was given (a value it cannot hold, a constraint they break), as opposed to failing
/// to take them at all (unreachable, busy, timed out): retrying the same rows cannot help, so a batch writer splits
/// them to set the rows at fault apart.
public struct StorageRefusedRows: Error, CustomStringConvertible {
    public let underlying: any Error

    public init(_ underlying: any Error) {
        self.underlying = underlying
    }

    public var description: String { "storage refused the rows: \(String(reflecting: underlying))" }
}
