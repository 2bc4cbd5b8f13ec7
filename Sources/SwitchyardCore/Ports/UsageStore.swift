public import Foundation

/// One request's account: who, what, how much, what it cost.
public struct UsageRecord: Sendable, Equatable {
    public var requestID: String
    public var keyID: String?
    public var teamID: String?
    /// The public model name.
    public var model: String
    /// `provider/model` that answered, if any did.
    public var target: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int
    public var costUSD: Double
    public var latencyMilliseconds: Int
    public var status: Int
    public var time: Date
    /// Answered from the response cache: free, and not counted against budgets or token limits.
    public var cached = false
    /// The prompt endpoint the request ran (`POST /v1/prompts/{name}/run`, a Responses `prompt`), if any.
    public var prompt: String?
    /// The version of `prompt` that ran.
    public var promptVersion: Int?

    public init(
        requestID: String, keyID: String?, teamID: String?, model: String, target: String?, promptTokens: Int, completionTokens: Int,
        cachedTokens: Int, costUSD: Double, latencyMilliseconds: Int, status: Int, time: Date
    ) {
        self.requestID = requestID
        self.keyID = keyID
        self.teamID = teamID
        self.model = model
        self.target = target
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
        self.latencyMilliseconds = latencyMilliseconds
        self.status = status
        self.time = time
    }
}

/// Which records to add up, and how to group them.
public struct UsageQuery: Sendable, Equatable {
    public enum Grouping: String, Sendable, CaseIterable {
        case key, team, model, day, prompt
    }

    public var keyID: String?
    public var teamID: String?
    public var model: String?
    /// Only runs of this prompt (any version).
    public var prompt: String?
    public var from: Date?
    public var to: Date?
    public var groupBy: Grouping?

    public init(keyID: String? = nil, teamID: String? = nil, model: String? = nil, from: Date? = nil, to: Date? = nil, groupBy: Grouping? = nil) {
        self.keyID = keyID
        self.teamID = teamID
        self.model = model
        self.from = from
        self.to = to
        self.groupBy = groupBy
    }
}

/// Totals over a group of usage records.
public struct UsageTotals: Sendable, Equatable {
    /// The group's value (key id, team id, model or day); nil without grouping.
    public var group: String?
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int
    public var costUSD: Double

    public init(group: String?, requests: Int, promptTokens: Int, completionTokens: Int, cachedTokens: Int, costUSD: Double) {
        self.group = group
        self.requests = requests
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
    }
}

/// Where usage is recorded and added up.
public protocol UsageStore: Sendable {
    /// Adds records to the usage sums (per minute, key, team, model, target, status, cache outcome and prompt) in
    /// one transaction.
    func append(_ records: [UsageRecord]) async throws
    func totals(_ query: UsageQuery) async throws -> [UsageTotals]
    /// Spend and tokens per key and per team since the UTC day of `start`, for budgets and quotas: keyed `key:<id>`
    /// and `team:<id>`. Its cost must not grow with the number of records: it runs every few seconds.
    func spend(since start: Date) async throws -> [String: Spend]
}

/// What an owner used in a period.
public struct Spend: Sendable, Equatable {
    public var costUSD: Double
    public var tokens: Int

    public init(costUSD: Double = 0, tokens: Int = 0) {
        self.costUSD = costUSD
        self.tokens = tokens
    }
}
