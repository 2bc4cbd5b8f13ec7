public import Foundation

/// A tenant: keys that belong to it share its limits.
public struct Team: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The public models its keys may use; nil for all.
    public var models: [String]?
    public var limits: UsageLimits
    public var createdAt: Date

    public init(id: String, name: String, models: [String]?, limits: UsageLimits, createdAt: Date) {
        self.id = id
        self.name = name
        self.models = models
        self.limits = limits
        self.createdAt = createdAt
    }
}
