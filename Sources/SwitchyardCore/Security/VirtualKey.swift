public import Foundation

/// A key the gateway hands out instead of provider keys. Its secret is shown once and kept only as a digest.
public struct VirtualKey: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The first characters of the secret, to recognise it by.
    public var prefix: String
    public var digest: SecretDigest
    public var teamID: String?
    /// The public models it may use (exact names, or patterns ending in `*`); nil for all.
    public var models: [String]?
    public var limits: UsageLimits
    public var expiresAt: Date?
    public var metadata: [String: String]
    public var createdAt: Date
    /// Guardrails (by configured name) applied to its requests on top of the model's.
    public var guardrails: [String]

    public init(
        id: String, name: String, prefix: String, digest: SecretDigest, teamID: String?, models: [String]?, limits: UsageLimits,
        expiresAt: Date?, metadata: [String: String], createdAt: Date, guardrails: [String] = []
    ) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.digest = digest
        self.teamID = teamID
        self.models = models
        self.limits = limits
        self.expiresAt = expiresAt
        self.metadata = metadata
        self.createdAt = createdAt
        self.guardrails = guardrails
    }

    /// Whether this key may use the public model `model`.
    public func allows(model: String) -> Bool {
        guard let models else { return true }
        return models.contains { pattern in
            pattern.hasSuffix("*") ? model.hasPrefix(pattern.dropLast()) : pattern == model
        }
    }
}
