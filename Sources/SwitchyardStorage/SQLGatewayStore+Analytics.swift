package import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    /// What identifies a row of `request_stats`.
    static let requestStatsKeyColumns: [String] = ["minute", "model", "target", "key_id", "team_id"]
    static let requestStatsLatencyColumns: [String] = (0..<LatencyHistogram.bucketCount).map { "latency_\($0)" }
    static let requestStatsTimeToFirstTokenColumns: [String] = (0..<LatencyHistogram.bucketCount).map { "ttft_\($0)" }
    /// The integer counts, added up on conflict and summed by queries.
    static let requestStatsIntegerColumns: [String] =
        ["requests", "errors", "prompt_tokens", "completion_tokens", "cached_tokens", "cache_lookups", "cache_hits"]
        + requestStatsLatencyColumns + requestStatsTimeToFirstTokenColumns
    /// Every count, the cost among them.
    static let requestStatsCountColumns: [String] = requestStatsIntegerColumns + ["cost_usd"]

    /// Rows per `INSERT`: 43 binds each stays well inside both databases' limits on bound values.
    private static let requestStatsRowsPerStatement = 100

    /// Records of the same minute, model, target, key and team are added up first (PostgreSQL refuses an upsert
    /// that reaches one row twice); the rows are then upserted in one order, so concurrent replicas lock them in
    /// the same order and never deadlock, in one transaction on PostgreSQL (see ``inTransaction(_:)`` for SQLite).
    ///
    /// - Throws: ``StorageRefusedRows`` when the database refused the rows themselves (a data or constraint error),
    ///   anything else when it could not take them.
    package func addRequestStats(_ stats: [RequestStats]) async throws {
        var merged: [RequestStatsRowKey: RequestStats] = [:]
        for record in stats {
            // Keyed by what is stored, so two names cut to the same text are one row.
            let key = RequestStatsRowKey(
                minute: Self.statsMinute(record.time), model: Self.storableText(record.model),
                target: Self.storableText(record.target), keyID: Self.storableText(record.keyID),
                teamID: Self.storableText(record.teamID))
            merged[key, default: RequestStats(time: record.time)].add(record)
        }
        guard !merged.isEmpty else { return }
        let rows: [[any SQLExpression]] = merged.sorted { $0.key < $1.key }.map { entry -> [any SQLExpression] in
            let key = entry.key
            let stats = entry.value
            var row: [any SQLExpression] = [
                SQLBind(key.minute), SQLBind(key.model), SQLBind(key.target), SQLBind(key.keyID), SQLBind(key.teamID),
                SQLBind(stats.requests), SQLBind(stats.errors), SQLBind(stats.promptTokens), SQLBind(stats.completionTokens),
                SQLBind(stats.cachedTokens), SQLBind(stats.cacheLookups), SQLBind(stats.cacheHits),
            ]
            for index in 0..<LatencyHistogram.bucketCount {
                row.append(SQLBind(index < stats.latency.count ? stats.latency[index] : 0))
            }
            for index in 0..<LatencyHistogram.bucketCount {
                row.append(SQLBind(index < stats.timeToFirstToken.count ? stats.timeToFirstToken[index] : 0))
            }
            row.append(SQLBind(stats.costUSD.isFinite ? stats.costUSD : 0))
            return row
        }
        do {
            try await inTransaction { session in
                try await SQLGatewayStore.upsertAdding(
                    into: "request_stats", keyColumns: SQLGatewayStore.requestStatsKeyColumns, countColumns: SQLGatewayStore.requestStatsCountColumns,
                    rows: rows, rowsPerStatement: SQLGatewayStore.requestStatsRowsPerStatement, on: session)
            }
        } catch {
            throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
        }
    }

    /// Sums over the minutes from `from`'s to `to`'s (exclusive), grouped by the bucket (a prefix of the minute's
    /// text: the hour's or the day's) and the group's column. Without a bucket or a group, the whole range is one
    /// row (of zeros when nothing was counted), its time `from`.
    package func requestStats(_ query: AnalyticsQuery) async throws -> [RequestStats] {
        let bucket: String? =
            switch query.bucket {
            case .minute: #""minute""#
            case .hour: #"substr("minute", 1, 13)"#
            case .day: #"substr("minute", 1, 10)"#
            case nil: nil
            }
        let groupColumn: String? =
            switch query.groupBy {
            case .model: "model"
            case .target: "target"
            case .key: "key_id"
            case .team: "team_id"
            case nil: nil
            }
        var select = database.select()
        for column in Self.requestStatsIntegerColumns {
            select = select.column(Self.integerSum(column), as: column)
        }
        select = select
            .column(SQLFunction("COALESCE", args: SQLFunction("SUM", args: SQLColumn("cost_usd")), SQLLiteral.numeric("0")), as: "cost_usd")
            .from("request_stats")
            .where("minute", .greaterThanOrEqual, Self.statsMinute(query.from))
            .where("minute", .lessThan, Self.statsMinute(query.to))
        if let model = query.model { select = select.where("model", .equal, Self.storableText(model)) }
        if let target = query.target { select = select.where("target", .equal, Self.storableText(target)) }
        if let keyID = query.keyID { select = select.where("key_id", .equal, Self.storableText(keyID)) }
        if let teamID = query.teamID { select = select.where("team_id", .equal, Self.storableText(teamID)) }
        if let bucket {
            select = select.column(SQLRaw(bucket), as: "bucket").groupBy(SQLRaw(bucket)).orderBy(SQLRaw(bucket))
        }
        if let groupColumn {
            select = select.column(SQLColumn(groupColumn), as: "grouping").groupBy(groupColumn).orderBy(groupColumn)
        }
        let rows = try await select.all()
        var results: [RequestStats] = []
        results.reserveCapacity(rows.count)
        for row in rows {
            var time = query.from
            if bucket != nil {
                let start = try row.decode(column: "bucket", as: String.self)
                time = Self.statsBucketStart(start) ?? query.from
            }
            var group = ""
            if groupColumn != nil { group = try row.decode(column: "grouping", as: String.self) }
            var stats = RequestStats(
                time: time, model: query.groupBy == .model ? group : "", target: query.groupBy == .target ? group : "",
                keyID: query.groupBy == .key ? group : "", teamID: query.groupBy == .team ? group : "")
            stats.requests = try row.decode(column: "requests", as: Int.self)
            stats.errors = try row.decode(column: "errors", as: Int.self)
            stats.promptTokens = try row.decode(column: "prompt_tokens", as: Int.self)
            stats.completionTokens = try row.decode(column: "completion_tokens", as: Int.self)
            stats.cachedTokens = try row.decode(column: "cached_tokens", as: Int.self)
            stats.costUSD = try row.decode(column: "cost_usd", as: Double.self)
            stats.cacheLookups = try row.decode(column: "cache_lookups", as: Int.self)
            stats.cacheHits = try row.decode(column: "cache_hits", as: Int.self)
            stats.latency = try Self.requestStatsLatencyColumns.map { try row.decode(column: $0, as: Int.self) }
            stats.timeToFirstToken = try Self.requestStatsTimeToFirstTokenColumns.map { try row.decode(column: $0, as: Int.self) }
            results.append(stats)
        }
        return results
    }

    package func pruneRequestStats(before date: Date) async throws {
        try await database.delete(from: "request_stats").where("minute", .lessThan, Self.statsMinute(date)).run()
    }

    // MARK: Helpers

    /// The UTC minute `date` falls in, as `YYYY-MM-DDTHH:MM` (text order is time order).
    static func statsMinute(_ date: Date) -> String {
        let minute = (date.timeIntervalSince1970 / 60).rounded(.down) * 60
        return String(timestamp(Date(timeIntervalSince1970: minute)).prefix(16))
    }

    /// The start of the bucket a query's `bucket` column names: a minute (`YYYY-MM-DDTHH:MM`), an hour
    /// (`YYYY-MM-DDTHH`) or a day (`YYYY-MM-DD`).
    static func statsBucketStart(_ text: String) -> Date? {
        let rest =
            switch text.count {
            case 10: "T00:00:00.000Z"
            case 13: ":00:00.000Z"
            default: ":00.000Z"
            }
        return date(text + rest)
    }

    /// `text` as a short text column stores it (see ``ColumnValue``).
    static func storableText(_ text: String) -> String {
        ColumnValue.storable(text, limit: ColumnValue.shortTextBytes)
    }
}

/// A row of `request_stats`: its minute (as stored) and the stored texts of its model, target, key and team.
private struct RequestStatsRowKey: Hashable, Comparable, Sendable {
    let minute: String
    let model: String
    let target: String
    let keyID: String
    let teamID: String

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.minute, lhs.model, lhs.target, lhs.keyID, lhs.teamID) < (rhs.minute, rhs.model, rhs.target, rhs.keyID, rhs.teamID)
    }
}
