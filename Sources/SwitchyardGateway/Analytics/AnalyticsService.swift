package import Foundation
package import SwitchyardCore
package import SwitchyardWire

/// The admin analytics (`/admin/analytics/…`): totals, series and rankings over the last hour, day, week or month,
/// read from the per-minute statistics (`RequestStats`), so a chart costs the same however many requests there were.
package struct AnalyticsService: Sendable {
    let store: any AnalyticsStore
    let now: @Sendable () -> Date

    package init(store: any AnalyticsStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    /// How far back a chart looks, and how long each of its points is.
    package enum Range: String, Sendable, CaseIterable {
        case hour, day, week, month

        var seconds: TimeInterval {
            switch self {
            case .hour: 3600
            case .day: 86_400
            case .week: 7 * 86_400
            case .month: 30 * 86_400
            }
        }

        var bucket: AnalyticsQuery.Bucket {
            switch self {
            case .hour: .minute
            case .day, .week: .hour
            case .month: .day
            }
        }

        var bucketSeconds: TimeInterval {
            switch bucket {
            case .minute: 60
            case .hour: 3600
            case .day: 86_400
            }
        }
    }

    /// What a series chart shows at each point.
    package enum Chart: String, Sendable, CaseIterable {
        case requests, latency, tokens, spend, cache
    }

    /// Filters every endpoint takes.
    package struct Filter: Sendable {
        package var model: String?
        package var target: String?
        package var keyID: String?
        package var teamID: String?

        package init(model: String? = nil, target: String? = nil, keyID: String? = nil, teamID: String? = nil) {
            self.model = model
            self.target = target
            self.keyID = keyID
            self.teamID = teamID
        }
    }

    /// The range's first bucket start and its end (the end of the current bucket).
    func window(_ range: Range) -> (from: Date, to: Date) {
        let step = range.bucketSeconds
        let end = (now().timeIntervalSince1970 / step).rounded(.down) * step + step
        return (Date(timeIntervalSince1970: end - range.seconds), Date(timeIntervalSince1970: end))
    }

    private func query(
        _ span: (from: Date, to: Date), bucket: AnalyticsQuery.Bucket?, by: AnalyticsQuery.Dimension?, filter: Filter
    ) -> AnalyticsQuery {
        let (from, to) = span
        return AnalyticsQuery(
            from: from, to: to, bucket: bucket, groupBy: by, model: filter.model, target: filter.target, keyID: filter.keyID, teamID: filter.teamID)
    }

    /// Totals over the range: requests, errors, latency and time-to-first-token percentiles, tokens, spend, cache
    /// hit rate.
    package func overview(_ range: Range, filter: Filter = Filter()) async throws -> JSONValue {
        let span = window(range)
        let rows = try await store.requestStats(query(span, bucket: nil, by: nil, filter: filter))
        var total = RequestStats(time: span.from)
        for row in rows { total.add(row) }
        var view = Self.fields(of: total, chart: nil)
        view["range"] = .string(range.rawValue)
        view["from"] = .string(span.from.ISO8601Format())
        return .object(view)
    }

    /// One chart's points over the range, a point per bucket (empty buckets as zeros); with `by`, one series per
    /// group.
    package func series(_ chart: Chart, range: Range, by: AnalyticsQuery.Dimension? = nil, filter: Filter = Filter()) async throws -> JSONValue {
        // One window for the query and its points: a minute turning between the two does not shift the chart.
        let span = window(range)
        let rows = try await store.requestStats(query(span, bucket: range.bucket, by: by, filter: filter))
        var view: [String: JSONValue] = ["range": .string(range.rawValue), "bucket": .string(range.bucket.rawValue)]
        guard let by else {
            view["points"] = .array(points(rows, chart: chart, range: range, span: span))
            return .object(view)
        }
        var groups: [String: [RequestStats]] = [:]
        for row in rows { groups[Self.group(of: row, by: by), default: []].append(row) }
        view["series"] = .array(
            groups.keys.sorted().map { group in
                ["group": .string(group), "points": .array(points(groups[group] ?? [], chart: chart, range: range, span: span))]
            })
        return .object(view)
    }

    /// The range's groups by `by`, most spent first (then most requests): requests, tokens and spend of each.
    package func top(_ range: Range, by: AnalyticsQuery.Dimension, limit: Int = 10, filter: Filter = Filter()) async throws -> [(group: String, stats: RequestStats)] {
        let rows = try await store.requestStats(query(window(range), bucket: nil, by: by, filter: filter))
        let ranked = rows.sorted { left, right in
            left.costUSD != right.costUSD ? left.costUSD > right.costUSD : left.requests > right.requests
        }
        return ranked.prefix(limit).map { (group: Self.group(of: $0, by: by), stats: $0) }
    }

    /// A point for each bucket of the range, in order.
    private func points(_ rows: [RequestStats], chart: Chart, range: Range, span: (from: Date, to: Date)) -> [JSONValue] {
        let (from, to) = span
        var byBucket: [Int64: RequestStats] = [:]
        for row in rows {
            let key = Int64((row.time.timeIntervalSince1970 / range.bucketSeconds).rounded(.down))
            if byBucket[key] == nil { byBucket[key] = RequestStats(time: row.time) }
            byBucket[key]?.add(row)
        }
        var points: [JSONValue] = []
        var start = from.timeIntervalSince1970
        while start < to.timeIntervalSince1970 {
            let key = Int64((start / range.bucketSeconds).rounded(.down))
            let stats = byBucket[key] ?? RequestStats(time: Date(timeIntervalSince1970: start))
            var point = Self.fields(of: stats, chart: chart)
            point["time"] = .string(Date(timeIntervalSince1970: start).ISO8601Format())
            points.append(.object(point))
            start += range.bucketSeconds
        }
        return points
    }

    /// The fields a chart shows of `stats` (every field for the overview).
    static func fields(of stats: RequestStats, chart: Chart?) -> [String: JSONValue] {
        func milliseconds(_ quantile: Double, _ counts: [Int]) -> JSONValue {
            LatencyHistogram.quantile(quantile, of: counts).map { .number(($0 * 10).rounded() / 10) } ?? .null
        }
        let hitRate: JSONValue = stats.cacheLookups > 0 ? .number(Double(stats.cacheHits) / Double(stats.cacheLookups)) : .null
        switch chart {
        case .requests?:
            return ["requests": .integer(Int64(stats.requests)), "errors": .integer(Int64(stats.errors))]
        case .latency?:
            return [
                "p50_ms": milliseconds(0.5, stats.latency), "p95_ms": milliseconds(0.95, stats.latency), "p99_ms": milliseconds(0.99, stats.latency),
                "ttft_p50_ms": milliseconds(0.5, stats.timeToFirstToken),
            ]
        case .tokens?:
            return [
                "prompt_tokens": .integer(Int64(stats.promptTokens)), "completion_tokens": .integer(Int64(stats.completionTokens)),
                "cached_tokens": .integer(Int64(stats.cachedTokens)),
            ]
        case .spend?:
            return ["cost_usd": .number(stats.costUSD)]
        case .cache?:
            return ["hit_rate": hitRate, "lookups": .integer(Int64(stats.cacheLookups)), "hits": .integer(Int64(stats.cacheHits))]
        case nil:
            return [
                "requests": .integer(Int64(stats.requests)), "errors": .integer(Int64(stats.errors)),
                "error_rate": stats.requests > 0 ? .number(Double(stats.errors) / Double(stats.requests)) : .null,
                "latency_ms": ["p50": milliseconds(0.5, stats.latency), "p95": milliseconds(0.95, stats.latency), "p99": milliseconds(0.99, stats.latency)],
                "ttft_ms": [
                    "p50": milliseconds(0.5, stats.timeToFirstToken), "p95": milliseconds(0.95, stats.timeToFirstToken),
                    "p99": milliseconds(0.99, stats.timeToFirstToken),
                ],
                "prompt_tokens": .integer(Int64(stats.promptTokens)), "completion_tokens": .integer(Int64(stats.completionTokens)),
                "cached_tokens": .integer(Int64(stats.cachedTokens)), "cost_usd": .number(stats.costUSD), "cache_hit_rate": hitRate,
                "cache_lookups": .integer(Int64(stats.cacheLookups)),
            ]
        }
    }

    static func group(of stats: RequestStats, by: AnalyticsQuery.Dimension) -> String {
        switch by {
        case .model: stats.model
        case .target: stats.target
        case .key: stats.keyID
        case .team: stats.teamID
        }
    }
}
