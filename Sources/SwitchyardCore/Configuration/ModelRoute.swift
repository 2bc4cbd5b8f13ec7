/// USD per one million tokens.
public struct Price: Sendable, Equatable {
    public var input: Double
    public var output: Double

    public init(input: Double, output: Double) {
        self.input = input
        self.output = output
    }
}

/// One place a public model can be served: a provider and the model name sent to it.
public struct Target: Sendable, Equatable, Hashable {
    /// The name of a configured provider.
    public var provider: String { didSet { label = "\(provider)/\(model)" } }
    /// The model name sent upstream.
    public var model: String { didSet { label = "\(provider)/\(model)" } }
    /// `provider/model`, as shown in headers, logs and the admin API; kept, since each request shows it.
    public private(set) var label: String
    public var weight: Double
    public var price: Price?
    /// Requests per minute the provider allows for this target; the router skips it when that is used up.
    public var rpm: Int?
    /// Tokens per minute the provider allows for this target.
    public var tpm: Int?

    public init(provider: String, model: String, weight: Double = 1, price: Price? = nil, rpm: Int? = nil, tpm: Int? = nil) {
        self.provider = provider
        self.model = model
        self.label = "\(provider)/\(model)"
        self.weight = weight
        self.price = price
        self.rpm = rpm
        self.tpm = tpm
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(provider)
        hasher.combine(model)
    }

    public static func == (lhs: Target, rhs: Target) -> Bool {
        lhs.provider == rhs.provider && lhs.model == rhs.model && lhs.weight == rhs.weight && lhs.price == rhs.price
            && lhs.rpm == rhs.rpm && lhs.tpm == rhs.tpm
    }
}

/// How a model orders its targets for each request.
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Each request starts at the next target in turn.
    case roundRobin = "round-robin"
    /// Targets are drawn at random in proportion to their weights.
    case weighted
    /// The target with the fewest requests in flight first.
    case leastBusy = "least-busy"
    /// The target with the lowest recent latency (time to first token for streams) first, exploring now and then.
    case lowestLatency = "lowest-latency"
    /// The cheapest target first, by configured price.
    case lowestCost = "lowest-cost"
}

/// How often and how long the router retries.
public struct RetryPolicy: Sendable, Equatable {
    /// Upstream calls per model at most (the first included); nil: one per target, plus one.
    public var maxAttempts: Int?
    /// The whole request, every attempt and fallback included, must be answered within this.
    public var deadline: Duration
    /// The first backoff before retrying a target already tried; doubles each time, with full jitter.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    public init(maxAttempts: Int? = nil, deadline: Duration = .seconds(600), initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(5)) {
        self.maxAttempts = maxAttempts
        self.deadline = deadline
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }
}

/// When a target's circuit opens, and for how long.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// Consecutive failures that open the circuit.
    public var consecutiveFailures: Int
    /// Failure ratio over the window that opens the circuit, once `minimumRequests` were seen.
    public var errorRate: Double
    public var minimumRequests: Int
    public var window: Duration
    /// How long an open circuit rejects requests before one probe is let through.
    public var cooldown: Duration

    public init(consecutiveFailures: Int = 5, errorRate: Double = 0.5, minimumRequests: Int = 10, window: Duration = .seconds(60), cooldown: Duration = .seconds(30)) {
        self.consecutiveFailures = consecutiveFailures
        self.errorRate = errorRate
        self.minimumRequests = minimumRequests
        self.window = window
        self.cooldown = cooldown
    }
}

/// Active probing of a model's targets.
public struct HealthCheckSettings: Sendable, Equatable {
    public var interval: Duration
    /// The upstream model to probe with; nil: each target's own model.
    public var model: String?

    public init(interval: Duration, model: String? = nil) {
        self.interval = interval
        self.model = model
    }
}

/// Gateway-wide routing defaults.
public struct RouterSettings: Sendable, Equatable {
    public var retry: RetryPolicy
    public var circuitBreaker: CircuitBreakerPolicy

    public init(retry: RetryPolicy = .init(), circuitBreaker: CircuitBreakerPolicy = .init()) {
        self.retry = retry
        self.circuitBreaker = circuitBreaker
    }
}

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
