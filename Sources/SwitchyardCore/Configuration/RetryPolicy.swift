

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
