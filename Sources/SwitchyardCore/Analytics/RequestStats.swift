public import Foundation

/// What the requests of one minute to one model, target, key and team added up to: the unit the analytics are
/// kept in, so that charts over any range read sums instead of every request.
public struct RequestStats: Sendable, Equatable {
    /// The minute (UTC, seconds zero), or the start of the bucket a query added minutes up into.
    public var time: Date
    /// The public model name; empty when the request named none.
    public var model: String
    /// `provider/model` that answered; empty when none did.
    public var target: String
    /// The key id (`master` for the master key); empty for a request without a key.
    public var keyID: String
    /// Empty for a key without a team.
    public var teamID: String
    public var requests = 0
    /// Requests that failed on the gateway's or an upstream's side (5xx).
    public var errors = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var cachedTokens = 0
    public var costUSD = 0.0
    /// Requests to a model whose cache is on, and those the cache answered (exactly or semantically).
    public var cacheLookups = 0
    public var cacheHits = 0
    /// Arrival to last byte, counted in `LatencyHistogram` buckets.
    public var latency: [Int] = Array(repeating: 0, count: LatencyHistogram.bucketCount)
    /// Time to first token of streams, in `LatencyHistogram` buckets.
    public var timeToFirstToken: [Int] = Array(repeating: 0, count: LatencyHistogram.bucketCount)

    public init(time: Date, model: String = "", target: String = "", keyID: String = "", teamID: String = "") {
        self.time = time
        self.model = model
        self.target = target
        self.keyID = keyID
        self.teamID = teamID
    }

    /// Adds `other`'s counts to these.
    public mutating func add(_ other: RequestStats) {
        requests += other.requests
        errors += other.errors
        promptTokens += other.promptTokens
        completionTokens += other.completionTokens
        cachedTokens += other.cachedTokens
        costUSD += other.costUSD
        cacheLookups += other.cacheLookups
        cacheHits += other.cacheHits
        for index in latency.indices where index < other.latency.count { latency[index] += other.latency[index] }
        for index in timeToFirstToken.indices where index < other.timeToFirstToken.count { timeToFirstToken[index] += other.timeToFirstToken[index] }
    }
}
