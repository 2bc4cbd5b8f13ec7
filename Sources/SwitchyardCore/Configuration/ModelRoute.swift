/// A public model name and the targets behind it.
public struct ModelRoute: Sendable, Equatable {
    /// The `model` that clients send.
    public var name: String
    public var strategy: RoutingStrategy
    public var targets: [Target]
    /// Other models tried, in order, when every target of this one fails.
    public var fallbacks: [String]
    /// Models tried when an upstream says the conversation is too long for its context window.
    public var contextWindowFallbacks: [String]
    /// Models tried when an upstream refuses the request under its content policy.
    public var contentPolicyFallbacks: [String]
    /// The gateway-wide retry policy with this model's overrides applied.
    public var retry: RetryPolicy
    /// Start a second target when the first has not answered (response head) within this.
    public var hedgeAfter: Duration?
    public var healthCheck: HealthCheckSettings?
    /// The gateway-wide cache settings with this model's overrides applied.
    public var cache: CacheSettings = .init()
    /// How requests are fitted into the context window; nil leaves them as they come.
    public var context: ContextSettings?
    /// Long-term memory of the model's users; nil keeps none.
    public var memory: MemorySettings?
    /// The guardrails applied to the model's requests and answers, by name, in order.
    public var guardrails: [String] = []

    public init(
        name: String, strategy: RoutingStrategy = .roundRobin, targets: [Target], fallbacks: [String] = [],
        contextWindowFallbacks: [String] = [], contentPolicyFallbacks: [String] = [], retry: RetryPolicy = .init(),
        hedgeAfter: Duration? = nil, healthCheck: HealthCheckSettings? = nil
    ) {
        self.name = name
        self.strategy = strategy
        self.targets = targets
        self.fallbacks = fallbacks
        self.contextWindowFallbacks = contextWindowFallbacks
        self.contentPolicyFallbacks = contentPolicyFallbacks
        self.retry = retry
        self.hedgeAfter = hedgeAfter
        self.healthCheck = healthCheck
    }
}
