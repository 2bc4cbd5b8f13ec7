

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
