import Foundation
package import Logging
package import SwitchyardCore

/// Turns finished requests into per-minute statistics (`RequestStats`) and adds them up, one record per minute,
/// model, target, key and team: what the analytics are kept in.
enum RequestStatsAggregator {
    private struct Key: Hashable {
        var minute: Date
        var model: String
        var target: String
        var keyID: String
        var teamID: String
    }

    /// One finished request as statistics of its minute; nil for a request that named no model (an admin call, a
    /// health probe). Errors are the gateway's and its upstreams' (5xx); a client's mistakes, refusals of its limits and
    /// departures (4xx, 499) are not.
    static func stats(of summary: RequestSummary) -> RequestStats? {
        guard let named = summary.model else { return nil }
        let minute = Date(timeIntervalSince1970: (summary.startedAt.timeIntervalSince1970 / 60).rounded(.down) * 60)
        var stats = RequestStats(
            time: minute, model: summary.modelIsConfigured ? named : "unknown", target: summary.target?.label ?? "", keyID: summary.keyID ?? "",
            teamID: summary.teamID ?? "")
        stats.requests = 1
        if summary.status >= 500 { stats.errors = 1 }
        stats.promptTokens = summary.promptTokens
        stats.completionTokens = summary.completionTokens
        stats.cachedTokens = summary.cachedTokens
        stats.costUSD = summary.costUSD
        if let cache = summary.cache {
            stats.cacheLookups = 1
            if cache == "hit" || cache == "semantic-hit" { stats.cacheHits = 1 }
        }
        stats.latency[LatencyHistogram.bucket(of: milliseconds(summary.duration))] += 1
        if let ttft = summary.timeToFirstToken { stats.timeToFirstToken[LatencyHistogram.bucket(of: milliseconds(ttft))] += 1 }
        return stats
    }

    /// `records` added up: one record per minute, model, target, key and team, oldest first.
    static func aggregate(_ records: [RequestStats]) -> [RequestStats] {
        var table: [Key: RequestStats] = [:]
        for record in records {
            let key = Key(minute: record.time, model: record.model, target: record.target, keyID: record.keyID, teamID: record.teamID)
            if table[key] == nil {
                table[key] = record
            } else {
                table[key]?.add(record)
            }
        }
        return table.values.sorted { $0.time < $1.time }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

extension BatchedWriter where Record == RequestStats {
    /// The analytics' writer: each finished request's statistics, added up per minute into `request_stats` off the
    /// request path.
    package convenience init(requestStats store: any AnalyticsStore, metrics: GatewayMetrics? = nil, logger: Logger) {
        self.init(name: "request_stats", metrics: metrics, logger: logger) { records in
            try await store.addRequestStats(RequestStatsAggregator.aggregate(records))
        }
    }
}
