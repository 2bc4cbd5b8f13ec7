

/// Gateway-wide routing defaults.
public struct RouterSettings: Sendable, Equatable {
    public var retry: RetryPolicy
    public var circuitBreaker: CircuitBreakerPolicy

    public init(retry: RetryPolicy = .init(), circuitBreaker: CircuitBreakerPolicy = .init()) {
        self.retry = retry
        self.circuitBreaker = circuitBreaker
    }
}
