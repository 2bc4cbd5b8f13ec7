import Foundation
package import Logging
package import SwitchyardCore

/// Adds finished requests up into per-minute statistics (`RequestStats`), one record per minute, model, target, key
/// and team: what the analytics are kept in.
enum RequestStatsAggregator {
    private struct Key: Hashable {
        var minute: Int64
        var model: String
        var target: String
        var keyID: String
        var teamID: String
    }

    /// The statistics of `summaries`; requests that named no model (admin calls, health probes) are left out.
    static func aggregate(_ summaries: [RequestSummary]) -> [RequestStats] {
        var table: [Key: RequestStats] = [:]
        for summary in summaries {
            guard let named = summary.model else { continue }
            let minute = Int64(summary.startedAt.timeIntervalSince1970 / 60)
            let key = Key(
                minute: minute, model: summary.modelIsConfigured ? named : "unknown", target: summary.target?.label ?? "",
                keyID: summary.keyID ?? "", teamID: summary.teamID ?? "")
            var stats = table[key] ?? RequestStats(
                time: Date(timeIntervalSince1970: Double(minute) * 60), model: key.model, target: key.target, keyID: key.keyID, teamID: key.teamID)
            stats.requests += 1
            if summary.status >= 400 { stats.errors += 1 }
            stats.promptTokens += summary.promptTokens
            stats.completionTokens += summary.completionTokens
            stats.cachedTokens += summary.cachedTokens
            stats.costUSD += summary.costUSD
            if let cache = summary.cache {
                stats.cacheLookups += 1
                if cache == "hit" || cache == "semantic-hit" { stats.cacheHits += 1 }
            }
            stats.latency[LatencyHistogram.bucket(of: Self.milliseconds(summary.duration))] += 1
            if let ttft = summary.timeToFirstToken { stats.timeToFirstToken[LatencyHistogram.bucket(of: Self.milliseconds(ttft))] += 1 }
            table[key] = stats
        }
        return table.values.sorted { $0.time < $1.time }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

extension BatchedWriter where Record == RequestSummary {
    /// The analytics' writer: finished requests added up per minute into `request_stats`, off the request path.
    package convenience init(requestStats store: any AnalyticsStore, metrics: GatewayMetrics? = nil, logger: Logger) {
        self.init(name: "request_stats", metrics: metrics, logger: logger) { summaries in
            try await store.addRequestStats(RequestStatsAggregator.aggregate(summaries))
        }
    }
}
