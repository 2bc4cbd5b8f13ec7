package import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    package func appendLogs(_ entries: [RequestLogEntry]) async throws {
        guard !entries.isEmpty else { return }
        var values: [ColumnValue] = []
        values.reserveCapacity(entries.count * Self.requestLogColumns.count)
        for entry in entries {
            values += [
                .text(entry.id), .text(entry.requestID), .text(Self.timestamp(entry.time)), .text(entry.method), .text(entry.path),
                .integer(entry.status), .text(entry.keyID), .text(entry.teamID), .text(entry.model), .text(entry.target),
                .integer(entry.attempts), .integer(entry.stream ? 1 : 0), .integer(entry.promptTokens), .integer(entry.completionTokens),
                .integer(entry.cachedTokens), .real(entry.costUSD), .real(entry.latencyMilliseconds),
                .real(entry.timeToFirstTokenMilliseconds), .real(entry.overheadMilliseconds), .longText(entry.error),
                .longText(entry.requestBody), .longText(entry.responseBody), .text(entry.cache), .text(entry.guardrails),
                .text(entry.prompt),
            ]
        }
        // A row whose id is already stored (the same entry written twice) must not cost the rest of its batch.
        try await bulkInsert(into: "request_logs", columns: Self.requestLogColumns, values: values, conflictColumn: "id")
    }

    static let requestLogColumns = [
        "id", "request_id", "time", "method", "path", "status", "key_id", "team_id", "model", "target", "attempts", "stream",
        "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd", "latency_ms", "ttft_ms", "overhead_ms", "error",
        "request_body", "response_body", "cache", "guardrails", "prompt",
    ]

    package func logs(_ query: RequestLogQuery) async throws -> [RequestLogEntry] {
        var select = database.select().column("*").from("request_logs")
        if let keyID = query.keyID { select = select.where("key_id", .equal, keyID) }
        if let teamID = query.teamID { select = select.where("team_id", .equal, teamID) }
        if let model = query.model { select = select.where("model", .equal, model) }
        if let status = query.status { select = select.where("status", .equal, status) }
        if let requestID = query.requestID { select = select.where("request_id", .equal, requestID) }
        // Ids sort by time, so a range of time is a range of the primary key: no index of its own to keep.
        if let from = query.from { select = select.where("id", .greaterThanOrEqual, RequestLogEntry.firstID(at: from)) }
        if let to = query.to { select = select.where("id", .lessThan, RequestLogEntry.firstID(at: to)) }
        if let cursor = query.cursor { select = select.where("id", .lessThan, cursor) }
        return try await select.orderBy("id", .descending).limit(query.limit).all().map { row in
            var entry = RequestLogEntry(
                id: try row.decode(column: "id", as: String.self),
                requestID: try row.decode(column: "request_id", as: String.self),
                time: Self.date(try row.decode(column: "time", as: String.self)) ?? Date(timeIntervalSince1970: 0),
                method: try row.decode(column: "method", as: String.self),
                path: try row.decode(column: "path", as: String.self),
                status: try row.decode(column: "status", as: Int.self),
                keyID: try row.decode(column: "key_id", as: String?.self),
                teamID: try row.decode(column: "team_id", as: String?.self),
                model: try row.decode(column: "model", as: String?.self),
                target: try row.decode(column: "target", as: String?.self),
                attempts: try row.decode(column: "attempts", as: Int.self),
                stream: try row.decode(column: "stream", as: Int.self) != 0,
                promptTokens: try row.decode(column: "prompt_tokens", as: Int.self),
                completionTokens: try row.decode(column: "completion_tokens", as: Int.self),
                cachedTokens: try row.decode(column: "cached_tokens", as: Int.self),
                costUSD: try row.decode(column: "cost_usd", as: Double.self),
                latencyMilliseconds: try row.decode(column: "latency_ms", as: Double.self),
                timeToFirstTokenMilliseconds: try row.decode(column: "ttft_ms", as: Double?.self),
                overheadMilliseconds: try row.decode(column: "overhead_ms", as: Double?.self),
                error: try row.decode(column: "error", as: String?.self),
                requestBody: try row.decode(column: "request_body", as: String?.self),
                responseBody: try row.decode(column: "response_body", as: String?.self))
            entry.cache = try row.decode(column: "cache", as: String?.self)
            entry.guardrails = try row.decode(column: "guardrails", as: String?.self)
            entry.prompt = try row.decode(column: "prompt", as: String?.self)
            return entry
        }
    }

    /// Deletes in chunks of `chunk` rows, so a first prune of a large table neither loads every id nor holds the
    /// write lock (SQLite's is the whole database) for long.
    @discardableResult
    package func pruneLogs(before cutoff: Date) async throws -> Int {
        try await pruneLogs(before: cutoff, chunk: 5000)
    }

    func pruneLogs(before cutoff: Date, chunk: Int) async throws -> Int {
        try await pruneInChunks(table: "request_logs", key: "id", timeColumn: "id", before: RequestLogEntry.firstID(at: cutoff), chunk: chunk)
    }

    /// Deletes the rows of `table` whose `timeColumn` is below `bound` (a time as that column holds it), `chunk` at a
    /// time, so no one statement holds the table's lock (or builds a result) for long.
    func pruneInChunks(table: String, key: String, timeColumn: String, before bound: String, chunk: Int) async throws -> Int {
        var total = 0
        while true {
            let oldest = database.select().column(key).from(table).where(SQLColumn(timeColumn), .lessThan, SQLBind(bound)).limit(chunk)
            let deleted = try await database.delete(from: table)
                .where(SQLColumn(key), .in, SQLGroupExpression(oldest.select))
                .returning(key).all().count
            total += deleted
            if deleted < chunk { return total }
        }
    }
}
