import Foundation

/// Limits a key or a team carries; nil means no limit. A key's effective limit is the stricter of its own and
/// its team's.
public struct UsageLimits: Sendable, Equatable, Codable {
    /// Requests per minute.
    public var rpm: Int?
    /// Tokens per minute.
    public var tpm: Int?
    /// Requests in flight at once.
    public var maxParallel: Int?
    public var maxBudgetUSD: Double?
    public var budgetPeriod: BudgetPeriod?
    /// Spend at which an alert is sent (once per period) to `alerts.webhook_url`; requests still go through.
    public var softBudgetUSD: Double?
    /// Tokens (prompt and completion) allowed per budget period.
    public var tokenQuota: Int?

    public init(
        rpm: Int? = nil, tpm: Int? = nil, maxParallel: Int? = nil, maxBudgetUSD: Double? = nil, budgetPeriod: BudgetPeriod? = nil,
        softBudgetUSD: Double? = nil, tokenQuota: Int? = nil
    ) {
        self.rpm = rpm
        self.tpm = tpm
        self.maxParallel = maxParallel
        self.maxBudgetUSD = maxBudgetUSD
        self.budgetPeriod = budgetPeriod
        self.softBudgetUSD = softBudgetUSD
        self.tokenQuota = tokenQuota
    }
}

/// How often a budget starts over.
public enum BudgetPeriod: String, Sendable, Codable, CaseIterable {
    case daily, weekly, monthly
}

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

    public init(
        id: String, name: String, prefix: String, digest: SecretDigest, teamID: String?, models: [String]?, limits: UsageLimits,
        expiresAt: Date?, metadata: [String: String], createdAt: Date
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
    }

    /// Whether this key may use the public model `model`.
    public func allows(model: String) -> Bool {
        guard let models else { return true }
        return models.contains { pattern in
            pattern.hasSuffix("*") ? model.hasPrefix(pattern.dropLast()) : pattern == model
        }
    }
}
