package import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    /// Keys per `IN` list.
    private static let contextKeysPerStatement = 500

    package func contextSummaries(scope: String, keys: [String]) async throws -> [ContextSummary] {
        var found: [ContextSummary] = []
        for chunk in Self.chunks(of: Array(Set(keys))) {
            found += try await database.select().columns("scope", "key", "summary", "turns", "created_at").from("context_summaries")
                .where("scope", .equal, scope).where(SQLIdentifier("key"), .in, SQLGroupExpression(chunk.map { SQLBind($0) }))
                .all().map { row in
                    ContextSummary(
                        scope: try row.decode(column: "scope", as: String.self), key: try row.decode(column: "key", as: String.self),
                        summary: try row.decode(column: "summary", as: String.self), turns: try row.decode(column: "turns", as: Int.self),
                        createdAt: Self.date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
                }
        }
        return found
    }

    /// Of summaries with the same scope and key, the last is kept; an existing one is replaced.
    package func storeContextSummaries(_ summaries: [ContextSummary]) async throws {
        var latest: [String: ContextSummary] = [:]
        for summary in summaries { latest[summary.scope + "\n" + summary.key] = summary }
        guard !latest.isEmpty else { return }
        var insert = database.insert(into: "context_summaries").columns("scope", "key", "summary", "turns", "created_at")
        for summary in latest.values.sorted(by: { ($0.scope, $0.key) < ($1.scope, $1.key) }) {
            insert = insert.values(
                SQLBind(summary.scope), SQLBind(summary.key), SQLBind(summary.summary), SQLBind(summary.turns), SQLBind(Self.timestamp(summary.createdAt)))
        }
        do {
            try await insert.onConflict(with: ["scope", "key"]) {
                $0.set(excludedValueOf: "summary").set(excludedValueOf: "turns").set(excludedValueOf: "created_at")
            }.run()
        } catch {
            throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
        }
    }

    package func contextEmbeddings(scope: String, keys: [String]) async throws -> [ContextEmbedding] {
        var found: [ContextEmbedding] = []
        for chunk in Self.chunks(of: Array(Set(keys))) {
            found += try await database.select().columns("scope", "key", "vector", "created_at").from("context_embeddings")
                .where("scope", .equal, scope).where(SQLIdentifier("key"), .in, SQLGroupExpression(chunk.map { SQLBind($0) }))
                .all().compactMap { row in
                    guard let vector = Self.cacheVector(try row.decode(column: "vector", as: Data.self)), !vector.isEmpty else { return nil }
                    return ContextEmbedding(
                        scope: try row.decode(column: "scope", as: String.self), key: try row.decode(column: "key", as: String.self), vector: vector,
                        createdAt: Self.date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
                }
        }
        return found
    }

    /// Of embeddings with the same scope and key, the last is kept; an empty vector is not stored.
    package func storeContextEmbeddings(_ embeddings: [ContextEmbedding]) async throws {
        var latest: [String: (ContextEmbedding, Data)] = [:]
        for embedding in embeddings {
            guard let data = Self.cacheVectorData(embedding.vector) else { continue }
            latest[embedding.scope + "\n" + embedding.key] = (embedding, data)
        }
        guard !latest.isEmpty else { return }
        let rows = latest.values.sorted { ($0.0.scope, $0.0.key) < ($1.0.scope, $1.0.key) }
        for start in stride(from: 0, to: rows.count, by: Self.contextKeysPerStatement) {
            var insert = database.insert(into: "context_embeddings").columns("scope", "key", "vector", "created_at")
            for (embedding, data) in rows[start..<min(start + Self.contextKeysPerStatement, rows.count)] {
                insert = insert.values(SQLBind(embedding.scope), SQLBind(embedding.key), SQLBind(data), SQLBind(Self.timestamp(embedding.createdAt)))
            }
            do {
                try await insert.onConflict(with: ["scope", "key"]) { $0.set(excludedValueOf: "vector").set(excludedValueOf: "created_at") }.run()
            } catch {
                throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
            }
        }
    }

    @discardableResult
    package func pruneContext(before cutoff: Date) async throws -> Int {
        var total = 0
        for table in ["context_summaries", "context_embeddings"] {
            while true {
                let oldest = database.select().columns("scope", "key").from(table)
                    .where("created_at", .lessThan, Self.timestamp(cutoff)).limit(5000)
                let deleted = try await database.delete(from: table)
                    .where(SQLRaw("(scope, key)"), .in, SQLGroupExpression(oldest.select))
                    .returning("scope").all().count
                total += deleted
                if deleted < 5000 { break }
            }
        }
        return total
    }

    private static func chunks(of keys: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: keys.count, by: contextKeysPerStatement).map { keys[$0..<min($0 + contextKeysPerStatement, keys.count)] }
    }
}
