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
