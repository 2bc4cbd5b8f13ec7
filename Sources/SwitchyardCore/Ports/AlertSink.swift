public import Foundation

/// A key or team whose spend reached its soft budget in the current period.
public struct BudgetAlert: Sendable, Equatable, Codable {
    public var type = "soft_budget_reached"
    /// `key` or `team`.
    public var scope: String
    public var id: String
    public var name: String
    public var spendUSD: Double
    public var softBudgetUSD: Double
    public var maxBudgetUSD: Double?
    /// `daily`, `weekly`, `monthly`, or nil for a budget without period.
    public var period: String?
    public var periodStart: Date

    public init(scope: String, id: String, name: String, spendUSD: Double, softBudgetUSD: Double, maxBudgetUSD: Double?, period: String?, periodStart: Date) {
        self.scope = scope
        self.id = id
        self.name = name
        self.spendUSD = spendUSD
        self.softBudgetUSD = softBudgetUSD
        self.maxBudgetUSD = maxBudgetUSD
        self.period = period
        self.periodStart = periodStart
    }

    enum CodingKeys: String, CodingKey {
        case type, scope, id, name, period
        case spendUSD = "spend_usd"
        case softBudgetUSD = "soft_budget_usd"
        case maxBudgetUSD = "max_budget_usd"
        case periodStart = "period_start"
    }
}

/// Where alerts go; never blocks the caller.
public protocol AlertSink: Sendable {
    func send(_ alert: BudgetAlert)
}
