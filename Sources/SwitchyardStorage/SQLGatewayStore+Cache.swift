package import Foundation
import NIOCore
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    static let cacheColumns = ["scope", "key", "model", "body", "context", "vector", "created_at", "expires_at"]

    /// Rows per `INSERT`: 8 binds each stays well inside both databases' limits on bound values.
    private static let cacheRowsPerStatement = 500

    package func cacheEntries(scope: String, keys: [String], now: Date) async throws -> [CacheEntry] {
        let unique = Array(Set(keys))
        var found: [CacheEntry] = []
        for start in stride(from: 0, to: unique.count, by: Self.cacheRowsPerStatement) {
            let chunk = unique[start..<min(start + Self.cacheRowsPerStatement, unique.count)].map { SQLBind($0) }
            found += try await database.select().columns(Self.cacheColumns).from("cache_entries")
                .where("scope", .equal, scope).where(SQLIdentifier("key"), .in, SQLGroupExpression(chunk))
                .where("expires_at", .greaterThan, Self.timestamp(now))
                .all().map { try Self.cacheEntry(from: $0) }
        }
        return found
    }

    /// Upserts the entries, in one transaction on PostgreSQL (see ``inTransaction(_:)`` for SQLite). No
    /// version moves: other replicas see new entries on their next read of the store, and new semantic candidates
    /// through ``semanticCandidates(scope:model:context:createdSince:now:)``.
    ///
    /// An entry whose body could not be kept exactly (longer than ``ColumnValue/longTextBytes`` or holding a NUL,
    /// which a text column cannot) is not stored: a cut answer would be a wrong one, and a miss costs nothing. Of
    /// entries with the same scope and key, the last is stored. An empty vector is stored as none.
    ///
    /// - Throws: ``StorageRefusedRows`` when the database refused the rows themselves (a data or constraint error),
    ///   anything else when it could not take them.
    package func storeCacheEntries(_ entries: [CacheEntry]) async throws {
        var latest: [CacheEntryID: (entry: CacheEntry, body: String)] = [:]
        for entry in entries {
            let body = String(buffer: entry.body)
            guard body.utf8.count <= ColumnValue.longTextBytes, !body.utf8.contains(0) else { continue }
            latest[CacheEntryID(scope: entry.scope, key: entry.key)] = (entry, body)
        }
        guard !latest.isEmpty else { return }
        // One order for every writer, so concurrent transactions take row locks in the same order (no deadlock).
        let rows = latest.values.sorted { ($0.entry.scope, $0.entry.key) < ($1.entry.scope, $1.entry.key) }
        do {
            try await inTransaction { session in
                for start in stride(from: 0, to: rows.count, by: SQLGatewayStore.cacheRowsPerStatement) {
                    var insert = session.insert(into: "cache_entries").columns(SQLGatewayStore.cacheColumns)
                    for (entry, body) in rows[start..<min(start + SQLGatewayStore.cacheRowsPerStatement, rows.count)] {
                        let vector: any SQLExpression =
                            if let data = SQLGatewayStore.cacheVectorData(entry.vector) { SQLBind(data) } else { SQLLiteral.null }
                        let row: [any SQLExpression] = [
                            SQLBind(entry.scope), SQLBind(entry.key), SQLBind(entry.model), ColumnValue.longText(body).bind,
                            SQLBind(entry.context), vector, SQLBind(SQLGatewayStore.timestamp(entry.createdAt)),
                            SQLBind(SQLGatewayStore.timestamp(entry.expiresAt)),
                        ]
                        insert = insert.values(row)
                    }
                    try await insert.onConflict(with: ["scope", "key"]) {
                        $0.set(excludedValueOf: "model").set(excludedValueOf: "body").set(excludedValueOf: "context")
                            .set(excludedValueOf: "vector").set(excludedValueOf: "created_at").set(excludedValueOf: "expires_at")
                    }.run()
                }
            }
        } catch {
            throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
        }
    }

    package func semanticCandidates(
        scope: String, model: String, context: String, createdSince: Date?, now: Date
    ) async throws -> [CacheEntry] {
        var select = database.select().columns(Self.cacheColumns).from("cache_entries")
            .where("scope", .equal, scope).where("model", .equal, model).where("context", .equal, context)
            .where(SQLIdentifier("vector"), .isNot, SQLLiteral.null)
            .where("expires_at", .greaterThan, Self.timestamp(now))
        if let createdSince { select = select.where("created_at", .greaterThanOrEqual, Self.timestamp(createdSince)) }
        return try await select.orderBy("created_at", .descending)
            .all().map { try Self.cacheEntry(from: $0) }
            // A vector that does not decode is no candidate.
            .filter { $0.vector != nil }
    }

    package func cacheVersion(scope: String) async throws -> Int {
        try await database.select().column("version").from("cache_versions").where("scope", .equal, scope)
            .first(decodingColumn: "version", as: Int.self) ?? 0
    }

    /// Deletes in chunks, each with the version bump of the scopes it emptied (together, on PostgreSQL), so a
    /// replica never keeps a purged entry past the bump, and no one statement holds the lock for long.
    @discardableResult
    package func purgeCache(model: String?) async throws -> Int {
        try await purgeCache(model: model, chunk: 5000)
    }

    func purgeCache(model: String?, chunk: Int) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await inTransaction { session -> Int in
                var chosen = session.select().columns("scope", "key").from("cache_entries")
                if let model { chosen = chosen.where("model", .equal, model) }
                let scopes = try await session.delete(from: "cache_entries")
                    .where(SQLRaw("(scope, key)"), .in, SQLGroupExpression(chosen.limit(chunk).select))
                    .returning("scope").all()
                    .map { try $0.decode(column: "scope", as: String.self) }
                try await SQLGatewayStore.bumpCacheVersions(scopes, on: session)
                return scopes.count
            }
            total += deleted
            if deleted < chunk { return total }
        }
    }

    /// Expired entries are already invisible to every lookup, so removing them moves no version.
    @discardableResult
    package func pruneCache(before cutoff: Date) async throws -> Int {
        try await pruneCache(before: cutoff, chunk: 5000)
    }

    func pruneCache(before cutoff: Date, chunk: Int) async throws -> Int {
        var total = 0
        while true {
            let oldest = database.select().columns("scope", "key").from("cache_entries")
                .where("expires_at", .lessThan, Self.timestamp(cutoff)).limit(chunk)
            let deleted = try await database.delete(from: "cache_entries")
                .where(SQLRaw("(scope, key)"), .in, SQLGroupExpression(oldest.select))
                .returning("scope").all().count
            total += deleted
            if deleted < chunk { return total }
        }
    }

    // MARK: Helpers

    /// Adds one to the version of each of `scopes` (a scope without a row gets version 1), in sorted order so
    /// concurrent transactions lock the rows in the same order.
    static func bumpCacheVersions(_ scopes: [String], on database: any SQLDatabase) async throws {
        let sorted = Set(scopes).sorted()
        for start in stride(from: 0, to: sorted.count, by: cacheRowsPerStatement) {
            var insert = database.insert(into: "cache_versions").columns("scope", "version")
            for scope in sorted[start..<min(start + cacheRowsPerStatement, sorted.count)] {
                insert = insert.values(SQLBind(scope), SQLBind(1))
            }
            // Qualified: PostgreSQL finds a bare `version` ambiguous between the row and `EXCLUDED`.
            try await insert.onConflict(with: ["scope"]) { $0.set("version", to: SQLRaw("cache_versions.version + 1")) }.run()
        }
    }

    /// Runs `body` in one transaction on PostgreSQL, on a connection of its own.
    ///
    /// On SQLite the store has one connection that every task shares, so a transaction opened on it would take in
    /// the statements other tasks run meanwhile (and a rollback would undo them); there `body` runs statement by
    /// statement, so each caller orders its statements to stay safe when a failure stops it between two: a cache
    /// purge's chunk deletes first and bumps the versions after, so a failure between them leaves deleted entries
    /// that a replica may still serve from memory until its next purge or eviction.
    func inTransaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        guard case .postgres = connections else { return try await body(database) }
        return try await database.withSession { session in
            try await session.raw("BEGIN").run()
            do {
                let result = try await body(session)
                try await session.raw("COMMIT").run()
                return result
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// `vector` as float32 little-endian bytes; nil for no vector or an empty one.
    static func cacheVectorData(_ vector: [Float]?) -> Data? {
        guard let vector, !vector.isEmpty else { return nil }
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// The floats in `data` (float32 little-endian); nil when its length is not a whole number of them.
    static func cacheVector(_ data: Data) -> [Float]? {
        guard data.count % 4 == 0 else { return nil }
        var vector: [Float] = []
        vector.reserveCapacity(data.count / 4)
        data.withUnsafeBytes { bytes in
            for offset in stride(from: 0, to: bytes.count, by: 4) {
                vector.append(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
            }
        }
        return vector
    }

    private static func cacheEntry(from row: any SQLRow) throws -> CacheEntry {
        CacheEntry(
            scope: try row.decode(column: "scope", as: String.self), key: try row.decode(column: "key", as: String.self),
            model: try row.decode(column: "model", as: String.self),
            body: ByteBuffer(string: try row.decode(column: "body", as: String.self)),
            context: try row.decode(column: "context", as: String?.self),
            vector: try row.decode(column: "vector", as: Data?.self).flatMap(cacheVector),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            expiresAt: date(try row.decode(column: "expires_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }
}

/// An entry's identity: its scope and key.
private struct CacheEntryID: Hashable {
    let scope: String
    let key: String
}
