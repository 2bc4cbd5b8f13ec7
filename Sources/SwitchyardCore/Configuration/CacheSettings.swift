/// How a model's answers are cached (`cache:` at the top of the configuration, overridden per model).
public struct CacheSettings: Sendable, Equatable {
    public var enabled: Bool
    /// How long an entry is served.
    public var ttl: Duration
    public var semantic: SemanticCacheSettings

    public init(enabled: Bool = false, ttl: Duration = .seconds(3600), semantic: SemanticCacheSettings = .init()) {
        self.enabled = enabled
        self.ttl = ttl
        self.semantic = semantic
    }
}

/// Semantic lookup: a request whose last user message is close enough, by embedding, to a cached one's (the rest of
/// the request identical) is answered from the cache.
public struct SemanticCacheSettings: Sendable, Equatable {
    public var enabled: Bool
    /// The configured model (public name) that embeds prompts.
    public var embeddingModel: String?
    /// The cosine similarity a semantic hit needs.
    public var threshold: Double

    public init(enabled: Bool = false, embeddingModel: String? = nil, threshold: Double = 0.95) {
        self.enabled = enabled
        self.embeddingModel = embeddingModel
        self.threshold = threshold
    }
}

/// The in-memory side of the cache: the entries kept in front of storage.
public struct CacheMemorySettings: Sendable, Equatable {
    public var maxEntries: Int
    public var maxBytes: Int

    public init(maxEntries: Int = 10_000, maxBytes: Int = 64 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }
}
