

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
