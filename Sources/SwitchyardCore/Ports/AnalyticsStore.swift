public import Foundation

/// Where the per-minute request statistics behind the analytics are kept.
public protocol AnalyticsStore: Sendable {
    /// Adds each record's counts to its minute, model, target, key and team (made when missing), on any replica.
    func addRequestStats(_ stats: [RequestStats]) async throws
    /// The statistics `query` asks for: one row per bucket (its `time` the bucket's start) and group (its dimension's
    /// field holds the group; the others are empty), oldest first; minutes at or after `from` and before `to`.
    func requestStats(_ query: AnalyticsQuery) async throws -> [RequestStats]
    /// Deletes the statistics of minutes before `date`.
    func pruneRequestStats(before date: Date) async throws
}
