import Foundation
import SQLKit
import SwitchyardCore

extension SQLGatewayStore {
    public func append(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        try await bulkInsert(
            into: "usage_records",
            columns: [
                "request_id", "key_id", "team_id", "model", "target", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd",
                "latency_ms", "status", "time", "day",
            ],
            rows: records.map { record in
                let time = Self.timestamp(record.time)
                return [
                    .text(record.requestID), .text(record.keyID), .text(record.teamID), .text(record.model), .text(record.target),
                    .integer(record.promptTokens), .integer(record.completionTokens), .integer(record.cachedTokens), .real(record.costUSD),
                    .integer(record.latencyMilliseconds), .integer(record.status), .text(time), .text(String(time.prefix(10))),
                ]
            })
    }

    public func totals(_ query: UsageQuery) async throws -> [UsageTotals] {
        let groupColumn: String? =
            switch query.groupBy {
            case .key: "key_id"
            case .team: "team_id"
            case .model: "model"
            case .day: "day"
            case nil: nil
            }
        var select = database.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "requests")
            .column(SQLFunction("COALESCE", args: SQLFunction("SUM", args: SQLColumn("prompt_tokens")), SQLLiteral.numeric("0")), as: "prompt_tokens")
            .column(SQLFunction("COALESCE", args: SQLFunction("SUM", args: SQLColumn("completion_tokens")), SQLLiteral.numeric("0")), as: "completion_tokens")
            .column(SQLFunction("COALESCE", args: SQLFunction("SUM", args: SQLColumn("cached_tokens")), SQLLiteral.numeric("0")), as: "cached_tokens")
            .column(SQLFunction("COALESCE", args: SQLFunction("SUM", args: SQLColumn("cost_usd")), SQLLiteral.numeric("0")), as: "cost_usd")
            .from("usage_records")
        if let groupColumn { select = select.column(SQLColumn(groupColumn), as: "grouping").groupBy(groupColumn).orderBy(groupColumn) }
        if let keyID = query.keyID { select = select.where("key_id", .equal, keyID) }
        if let teamID = query.teamID { select = select.where("team_id", .equal, teamID) }
        if let model = query.model { select = select.where("model", .equal, model) }
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

    public func spend(since start: Date) async throws -> [String: Spend] {
        var spend: [String: Spend] = [:]
        let since = Self.timestamp(start)
        for (column, prefix) in [("key_id", "key:"), ("team_id", "team:")] {
            let rows = try await database.select()
                .column(SQLColumn(column), as: "owner")
                .column(SQLFunction("SUM", args: SQLColumn("cost_usd")), as: "spent")
                .column(SQLFunction("SUM", args: SQLBinaryExpression(SQLColumn("prompt_tokens"), .add, SQLColumn("completion_tokens"))), as: "tokens")
                .from("usage_records")
                .where("time", .greaterThanOrEqual, since)
                .where(SQLColumn(column), .isNot, SQLLiteral.null)
                .groupBy(column)
                .all()
            for row in rows {
                spend[prefix + (try row.decode(column: "owner", as: String.self))] = Spend(
                    costUSD: try row.decode(column: "spent", as: Double.self), tokens: try row.decode(column: "tokens", as: Int.self))
            }
        }
        return spend
    }
}
