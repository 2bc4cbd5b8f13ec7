public import Foundation

/// A tenant: keys that belong to it share its limits.
public struct Team: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The public models its keys may use; nil for all.
    public var models: [String]?
    public var limits: UsageLimits
    public var createdAt: Date
    /// Guardrails (by configured name) applied to every request of its keys on top of the model's.
    public var guardrails: [String]

    public init(id: String, name: String, models: [String]?, limits: UsageLimits, createdAt: Date, guardrails: [String] = []) {
        self.id = id
        self.name = name
        self.models = models
        self.limits = limits
        self.createdAt = createdAt
        self.guardrails = guardrails
    }
}
