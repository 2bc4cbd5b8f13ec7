public import Foundation

/// Which request statistics to add up, over what time, in what buckets and groups.
public struct AnalyticsQuery: Sendable, Equatable {
    /// How long each point of a series is.
    public enum Bucket: String, Sendable, CaseIterable {
        case minute, hour, day
    }

    /// What a series or a ranking is split by.
    public enum Dimension: String, Sendable, CaseIterable {
        case model, target, key, team
    }

    public var from: Date
    public var to: Date
    /// Nil adds the whole range up into one row.
    public var bucket: Bucket?
    /// Nil adds every group up.
    public var groupBy: Dimension?
    public var model: String?
    public var target: String?
    public var keyID: String?
    public var teamID: String?

    public init(
        from: Date, to: Date, bucket: Bucket? = nil, groupBy: Dimension? = nil, model: String? = nil, target: String? = nil, keyID: String? = nil,
        teamID: String? = nil
    ) {
        self.from = from
        self.to = to
        self.bucket = bucket
        self.groupBy = groupBy
        self.model = model
        self.target = target
        self.keyID = keyID
        self.teamID = teamID
    }
}
