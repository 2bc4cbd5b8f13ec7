package import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    package func append(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        var values: [ColumnValue] = []
        values.reserveCapacity(records.count * Self.usageColumns.count)
        for record in records {
            let time = Self.timestamp(record.time)
            values += [
                .text(record.requestID), .text(record.keyID), .text(record.teamID), .text(record.model), .text(record.target),
                .integer(record.promptTokens), .integer(record.completionTokens), .integer(record.cachedTokens), .real(record.costUSD),
                .integer(record.latencyMilliseconds), .integer(record.status), .text(time), .text(String(time.prefix(10))),
                .integer(record.cached ? 1 : 0), .text(record.prompt), .integer(record.promptVersion),
            ]
        }
        try await bulkInsert(into: "usage_records", columns: Self.usageColumns, values: values)
    }

    static let usageColumns = [
        "request_id", "key_id", "team_id", "model", "target", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd",
        "latency_ms", "status", "time", "day", "cached", "prompt", "prompt_version",
    ]

    /// Read from the per-request records, not the daily sums (those are per key and team only): a filter or grouping
    /// by prompt reads the same rows as the others. Runs without a prompt group under nil, as rows without a key or
    /// team do.
    package func totals(_ query: UsageQuery) async throws -> [UsageTotals] {
        let groupColumn: String? =
            switch query.groupBy {
            case .key: "key_id"
            case .team: "team_id"
            case .model: "model"
            case .day: "day"
            case .prompt: "prompt"
            case nil: nil
            }
        var select = database.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "requests")
            .column(Self.integerSum("prompt_tokens"), as: "prompt_tokens")
            .column(Self.integerSum("completion_tokens"), as: "completion_tokens")
            .column(Self.integerSum("cached_tokens"), as: "cached_tokens")
            .column(SQLFunction("COALESCE", args: SQLFunction("SUM", args: SQLColumn("cost_usd")), SQLLiteral.numeric("0")), as: "cost_usd")
            .from("usage_records")
        if let groupColumn { select = select.column(SQLColumn(groupColumn), as: "grouping").groupBy(groupColumn).orderBy(groupColumn) }
        if let keyID = query.keyID { select = select.where("key_id", .equal, keyID) }
        if let teamID = query.teamID { select = select.where("team_id", .equal, teamID) }
        if let model = query.model { select = select.where("model", .equal, model) }
        if let prompt = query.prompt { select = select.where("prompt", .equal, prompt) }
        if let from = query.from { select = select.where("time", .greaterThanOrEqual, Self.timestamp(from)) }
        if let to = query.to { select = select.where("time", .lessThan, Self.timestamp(to)) }
        return try await select.all().map { row in
            UsageTotals(
                group: groupColumn == nil ? nil : try row.decode(column: "grouping", as: String?.self),
                requests: try row.decode(column: "requests", as: Int.self),
                promptTokens: try row.decode(column: "prompt_tokens", as: Int.self),
                completionTokens: try row.decode(column: "completion_tokens", as: Int.self),
                cachedTokens: try row.decode(column: "cached_tokens", as: Int.self),
                costUSD: try row.decode(column: "cost_usd", as: Double.self))
        }
    }

    /// The sum of an integer column, 0 over no rows, as an integer on both databases (PostgreSQL sums integers as
    /// NUMERIC).
    static func integerSum(_ column: String) -> SQLRaw {
        SQLRaw("CAST(COALESCE(SUM(\(column)), 0) AS BIGINT)")
    }

    /// Read from the daily sums the database keeps (``UsageRollup``), so the cost does not grow with the number of
    /// requests recorded; `start` counts from the beginning of its UTC day.
    package func spend(since start: Date) async throws -> [String: Spend] {
        let rows = try await database.select()
            .column("owner")
            .column(SQLFunction("SUM", args: SQLColumn("cost_usd")), as: "spent")
            .column(Self.integerSum("tokens"), as: "tokens")
            .from("usage_daily")
            .where("day", .greaterThanOrEqual, String(Self.timestamp(start).prefix(10)))
            .groupBy("owner")
            .all()
        var spend: [String: Spend] = [:]
        for row in rows {
            spend[try row.decode(column: "owner", as: String.self)] = Spend(
                costUSD: try row.decode(column: "spent", as: Double.self), tokens: try row.decode(column: "tokens", as: Int.self))
        }
        return spend
    }
}
