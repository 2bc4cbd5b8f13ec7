package import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    /// What identifies a row of `usage_minutes`.
    static let usageKeyColumns = ["minute", "key_id", "team_id", "model", "target", "status", "cached", "prompt", "prompt_version", "day"]
    /// The sums, added up on conflict.
    static let usageCountColumns = ["requests", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd"]
    /// The most rows one upsert takes: 15 binds each, within SQLite's 32,766 bound values. The usage writer's
    /// batches hold no more records than this, so a batch is one statement.
    package static let usageRowsPerStatement = 2_000

    /// Adds the records to the per-minute usage sums: records of the same minute, key, team, model, target, status,
    /// cache outcome and prompt become one row, upserted by adding. The daily spend sums grow in the same
    /// transaction (``UsageRollup``). Rows and days are written in one order, so replicas writing at once never
    /// deadlock.
    ///
    /// - Throws: ``StorageRefusedRows`` when the database refused the rows themselves (a data or constraint error),
    ///   anything else when it could not take them.
    package func append(_ records: [UsageRecord]) async throws {
        var minutes: [UsageMinuteKey: UsageSums] = [:]
        for record in records { minutes[UsageMinuteKey(record), default: UsageSums()].add(record) }
        guard !minutes.isEmpty else { return }
        let rows: [[any SQLExpression]] = minutes.sorted { $0.key < $1.key }.map { key, sums in key.binds + sums.binds }
        let days = isPostgres ? Self.dailySums(of: minutes) : []
        do {
            try await inTransaction { session in
                // One statement for the whole batch: on SQLite, where statements are not grouped in a transaction,
                // a batch that fails and is tried again must not have been half written.
                try await Self.upsertAdding(
                    into: "usage_minutes", keyColumns: Self.usageKeyColumns, countColumns: Self.usageCountColumns, rows: rows,
                    rowsPerStatement: Self.usageRowsPerStatement, on: session)
                try await Self.upsertAdding(
                    into: "usage_daily", keyColumns: ["owner", "day"], countColumns: ["cost_usd", "tokens"], rows: days, on: session)
            }
        } catch {
            throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
        }
    }

    /// What each key and team spent per day in `minutes`, as rows of `usage_daily` in key order.
    private static func dailySums(of minutes: [UsageMinuteKey: UsageSums]) -> [[any SQLExpression]] {
        var days: [DailyOwner: (cost: Double, tokens: Int)] = [:]
        for (key, sums) in minutes {
            for owner in [key.keyID.isEmpty ? nil : "key:" + key.keyID, key.teamID.isEmpty ? nil : "team:" + key.teamID].compactMap({ $0 }) {
                let day = DailyOwner(owner: owner, day: key.day)
                let sum = days[day] ?? (0, 0)
                days[day] = (sum.cost + sums.costUSD, sum.tokens &+ sums.promptTokens &+ sums.completionTokens)
            }
        }
        return days.sorted { $0.key < $1.key }.map { day, sum in
            [SQLBind(day.owner), SQLBind(day.day), SQLBind(sum.cost.isFinite ? sum.cost : 0), SQLBind(sum.tokens)]
        }
    }

    /// Inserts `rows` (key columns, then counts) into `table`, adding the counts to a row already there, at most
    /// `rowsPerStatement` rows a statement.
    static func upsertAdding(
        into table: String, keyColumns: [String], countColumns: [String], rows: [[any SQLExpression]], rowsPerStatement: Int = 100,
        on database: any SQLDatabase
    ) async throws {
        for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            var insert = database.insert(into: table).columns(keyColumns + countColumns)
            for row in rows[start..<min(start + rowsPerStatement, rows.count)] { insert = insert.values(row) }
            // Qualified: PostgreSQL finds a bare column ambiguous between the row and `excluded`.
            try await insert.onConflict(with: keyColumns) { conflict in
                for column in countColumns { conflict.set(column, to: SQLRaw("\(table).\(column) + excluded.\(column)")) }
                return conflict
            }.run()
        }
    }

    /// Sums over the minutes from `from`'s (the minute it falls in) to the last that starts before `to`, from
    /// `usage_minutes`.
    /// Runs without a key, team or prompt are grouped under nil.
    package func totals(_ query: UsageQuery) async throws -> [UsageTotals] {
        let groupColumn: String? =
            switch query.groupBy {
            case .key: "NULLIF(key_id, '')"
            case .team: "NULLIF(team_id, '')"
            case .model: "model"
            case .day: "day"
            case .prompt: "NULLIF(prompt, '')"
            case nil: nil
            }
        var select = database.select()
            .column(Self.integerSum("requests"), as: "requests")
            .column(Self.integerSum("prompt_tokens"), as: "prompt_tokens")
            .column(Self.integerSum("completion_tokens"), as: "completion_tokens")
            .column(Self.integerSum("cached_tokens"), as: "cached_tokens")
            .column(SQLFunction("COALESCE", args: SQLFunction("SUM", args: SQLColumn("cost_usd")), SQLLiteral.numeric("0")), as: "cost_usd")
            .from("usage_minutes")
        if let groupColumn { select = select.column(SQLRaw(groupColumn), as: "grouping").groupBy(SQLRaw(groupColumn)).orderBy(SQLRaw(groupColumn)) }
        // An empty name is how "none" is stored: asking for it matches nothing, as before.
        for (column, value) in [("key_id", query.keyID), ("team_id", query.teamID), ("model", query.model), ("prompt", query.prompt)] {
            guard let value else { continue }
            select = value.isEmpty ? select.where(SQLRaw("1 = 0")) : select.where(SQLColumn(column), .equal, SQLBind(Self.storableText(value)))
        }
        if let from = query.from { select = select.where("minute", .greaterThanOrEqual, Self.statsMinute(from)) }
        if let to = query.to {
            // The minutes that start before `to`: those before the first minute that starts at or after it.
            let end = Date(timeIntervalSince1970: (to.timeIntervalSince1970 / 60).rounded(.up) * 60)
            select = select.where("minute", .lessThan, Self.statsMinute(end))
        }
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

/// A row of `usage_minutes`: its minute and day (as stored), and the stored texts of who, what and how it ended
/// (`''` and version 0 for none).
struct UsageMinuteKey: Hashable, Comparable, Sendable {
    let minute: String
    let day: String
    let keyID: String
    let teamID: String
    let model: String
    let target: String
    let status: Int
    let cached: Int
    let prompt: String
    let promptVersion: Int

    init(_ record: UsageRecord) {
        minute = SQLGatewayStore.statsMinute(record.time)
        day = String(minute.prefix(10))
        keyID = SQLGatewayStore.storableText(record.keyID ?? "")
        teamID = SQLGatewayStore.storableText(record.teamID ?? "")
        model = SQLGatewayStore.storableText(record.model)
        target = SQLGatewayStore.storableText(record.target ?? "")
        status = record.status
        cached = record.cached ? 1 : 0
        prompt = SQLGatewayStore.storableText(record.prompt ?? "")
        promptVersion = record.promptVersion ?? 0
    }

    /// In ``SQLGatewayStore/usageKeyColumns``' order.
    var binds: [any SQLExpression] {
        [
            SQLBind(minute), SQLBind(keyID), SQLBind(teamID), SQLBind(model), SQLBind(target), SQLBind(status), SQLBind(cached), SQLBind(prompt),
            SQLBind(promptVersion), SQLBind(day),
        ]
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.minute, lhs.keyID, lhs.teamID, lhs.model, lhs.target) < (rhs.minute, rhs.keyID, rhs.teamID, rhs.model, rhs.target)
            || ((lhs.minute, lhs.keyID, lhs.teamID, lhs.model, lhs.target) == (rhs.minute, rhs.keyID, rhs.teamID, rhs.model, rhs.target)
                && (lhs.status, lhs.cached, lhs.prompt, lhs.promptVersion) < (rhs.status, rhs.cached, rhs.prompt, rhs.promptVersion))
    }
}

/// The sums of a row of `usage_minutes`.
struct UsageSums: Sendable {
    var requests = 0
    var promptTokens = 0
    var completionTokens = 0
    var cachedTokens = 0
    var costUSD = 0.0

    mutating func add(_ record: UsageRecord) {
        requests &+= 1
        promptTokens &+= record.promptTokens
        completionTokens &+= record.completionTokens
        cachedTokens &+= record.cachedTokens
        if record.costUSD.isFinite { costUSD += record.costUSD }
        if !costUSD.isFinite { costUSD = 0 }
    }

    /// In ``SQLGatewayStore/usageCountColumns``' order.
    var binds: [any SQLExpression] {
        [SQLBind(requests), SQLBind(promptTokens), SQLBind(completionTokens), SQLBind(cachedTokens), SQLBind(costUSD)]
    }
}

/// An owner's (`key:<id>`, `team:<id>`) day in `usage_daily`.
private struct DailyOwner: Hashable, Comparable {
    let owner: String
    let day: String

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.owner, lhs.day) < (rhs.owner, rhs.day) }
}
