package import Foundation
import SQLKit
package import SwitchyardCore
package import SwitchyardWire

extension SQLGatewayStore {
    /// Rows per `INSERT` of chunks (5 binds each), and values per `IN` list: well inside both databases' limits on
    /// bound values.
    private static let knowledgeRowsPerStatement = 500

    // MARK: Stores

    package func insertVectorStore(_ store: StoredVectorStore) async throws {
        try await database.insert(into: "vector_stores")
            .columns("id", "scope", "name", "metadata", "version", "created_at")
            .values(
                SQLBind(store.id), SQLBind(store.scope), SQLBind(store.name), SQLBind(Self.vectorStoreMetadataText(store.metadata)), SQLBind(0),
                SQLBind(Self.timestamp(store.createdAt)))
            .run()
    }

    package func vectorStore(id: String, scope: String?) async throws -> StoredVectorStore? {
        var select = database.select().columns(Self.vectorStoreColumns).from("vector_stores").where("id", .equal, id)
        if let scope { select = select.where("scope", .equal, scope) }
        return try await select.first().map(Self.storedVectorStore(from:))
    }

    package func vectorStores(scope: String?, after: String?, limit: Int, ascending: Bool) async throws -> [StoredVectorStore] {
        var select = database.select().columns(Self.vectorStoreColumns).from("vector_stores")
        if let scope { select = select.where("scope", .equal, scope) }
        if let after, let anchor = try await vectorStore(id: after, scope: scope) {
            // Stores in order of (created_at, id): those past the anchor's place.
            let time = Self.timestamp(anchor.createdAt)
            select = select.where { group in
                group.where("created_at", ascending ? .greaterThan : .lessThan, time)
                    .orWhere { same in same.where("created_at", .equal, time).where("id", ascending ? .greaterThan : .lessThan, anchor.id) }
            }
        }
        return try await select.orderBy("created_at", ascending ? .ascending : .descending).orderBy("id", ascending ? .ascending : .descending)
            .limit(limit).all().map(Self.storedVectorStore(from:))
    }

    /// Name and metadata are not what search sees, so the version stays.
    package func updateVectorStore(_ store: StoredVectorStore) async throws {
        try await database.update("vector_stores")
            .set("name", to: store.name).set("metadata", to: Self.vectorStoreMetadataText(store.metadata))
            .where("id", .equal, store.id).where("scope", .equal, store.scope)
            .run()
    }

    /// Whether the store is the tenant's is checked first; then its files go, then their chunks, and its row last.
    /// A file completed meanwhile either found its row gone (and took its chunks back) or had stored its chunks
    /// before they were deleted here. In one transaction on PostgreSQL, where every writer locks a file's row
    /// before its store's, so none waits on another in a cycle.
    package func deleteVectorStore(id: String, scope: String?) async throws -> Bool {
        let sqlite = usesSQLite
        return try await inTransaction { session -> Bool in
            var select = session.select().column("id").from("vector_stores").where("id", .equal, id)
            if let scope { select = select.where("scope", .equal, scope) }
            guard try await select.first() != nil else { return false }
            try await session.delete(from: "vector_store_files").where("store_id", .equal, id).run()
            if sqlite {
                try await session.raw(
                    "DELETE FROM vector_store_chunks_fts WHERE rowid IN (SELECT id FROM vector_store_chunks WHERE store_id = \(bind: id))"
                ).run()
            }
            try await session.delete(from: "vector_store_chunks").where("store_id", .equal, id).run()
            return try await !session.delete(from: "vector_stores").where("id", .equal, id).returning("id").all().isEmpty
        }
    }

    package func vectorStoreTotals(ids: [String]) async throws -> [String: (counts: [VectorStoreFile.Status: Int], usageBytes: Int)] {
        let unique = Array(Set(ids))
        var totals: [String: (counts: [VectorStoreFile.Status: Int], usageBytes: Int)] = [:]
        for start in stride(from: 0, to: unique.count, by: Self.knowledgeRowsPerStatement) {
            let chunk = Array(unique[start..<min(start + Self.knowledgeRowsPerStatement, unique.count)])
            let rows = try await database.select()
                .column("store_id").column("status")
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "files")
                .column(Self.integerSum("usage_bytes"), as: "usage_bytes")
                .from("vector_store_files")
                .where("store_id", .in, chunk)
                .groupBy("store_id").groupBy("status")
                .all()
            for row in rows {
                let storeID = try row.decode(column: "store_id", as: String.self)
                var total = totals[storeID] ?? (counts: [:], usageBytes: 0)
                if let status = VectorStoreFile.Status(rawValue: try row.decode(column: "status", as: String.self)) {
                    total.counts[status, default: 0] += try row.decode(column: "files", as: Int.self)
                }
                total.usageBytes += try row.decode(column: "usage_bytes", as: Int.self)
                totals[storeID] = total
            }
        }
        return totals
    }

    package func vectorStoreVersion(id: String) async throws -> Int64? {
        try await database.select().column("version").from("vector_stores").where("id", .equal, id)
            .first(decodingColumn: "version", as: Int64.self)
    }

    // MARK: Files

    package func insertVectorStoreFile(_ file: VectorStoreFile) async throws -> Bool {
        try await !database.insert(into: "vector_store_files")
            .columns(Self.vectorStoreFileColumns)
            .values(
                SQLBind(file.storeID), SQLBind(file.fileID), SQLBind(file.filename), SQLBind(file.status.rawValue),
                SQLBind(file.lastError.map { ColumnValue.storable($0, limit: ColumnValue.longTextBytes) }), SQLBind(file.maxChunkTokens),
                SQLBind(file.overlapTokens), SQLBind(Self.text(.object(file.attributes))), SQLBind(file.usageBytes), SQLBind(file.keyID),
                SQLLiteral.null, SQLBind(Self.timestamp(file.createdAt)))
            .ignoringConflicts(with: ["store_id", "file_id"])
            .returning("file_id").all().isEmpty
    }

    package func vectorStoreFile(storeID: String, fileID: String) async throws -> VectorStoreFile? {
        try await database.select().columns(Self.vectorStoreFileColumns).from("vector_store_files")
            .where("store_id", .equal, storeID).where("file_id", .equal, fileID)
            .first().map(Self.storedVectorStoreFile(from:))
    }

    package func vectorStoreFiles(
        storeID: String, status: VectorStoreFile.Status?, after: String?, limit: Int, ascending: Bool
    ) async throws -> [VectorStoreFile] {
        var select = database.select().columns(Self.vectorStoreFileColumns).from("vector_store_files").where("store_id", .equal, storeID)
        if let status { select = select.where("status", .equal, status.rawValue) }
        if let after, let anchor = try await vectorStoreFile(storeID: storeID, fileID: after) {
            // Files in order of (created_at, file_id): those past the anchor's place.
            let time = Self.timestamp(anchor.createdAt)
            select = select.where { group in
                group.where("created_at", ascending ? .greaterThan : .lessThan, time)
                    .orWhere { same in
                        same.where("created_at", .equal, time).where("file_id", ascending ? .greaterThan : .lessThan, anchor.fileID)
                    }
            }
        }
        return try await select.orderBy("created_at", ascending ? .ascending : .descending)
            .orderBy("file_id", ascending ? .ascending : .descending)
            .limit(limit).all().map(Self.storedVectorStoreFile(from:))
    }

    package func updateVectorStoreFileAttributes(storeID: String, fileID: String, attributes: [String: JSONValue]) async throws -> Bool {
        try await inTransaction { session -> Bool in
            let updated = try await !session.update("vector_store_files").set("attributes", to: SQLGatewayStore.text(.object(attributes)))
                .where("store_id", .equal, storeID).where("file_id", .equal, fileID)
                .returning("file_id").all().isEmpty
            if updated { try await SQLGatewayStore.bumpVectorStoreVersion(storeID, on: session) }
            return updated
        }
    }

    /// The file's row goes first, then its chunks, as ``deleteVectorStore(id:scope:)`` does.
    package func deleteVectorStoreFile(storeID: String, fileID: String) async throws -> Bool {
        let sqlite = usesSQLite
        return try await inTransaction { session -> Bool in
            guard
                try await !session.delete(from: "vector_store_files").where("store_id", .equal, storeID).where("file_id", .equal, fileID)
                    .returning("file_id").all().isEmpty
            else { return false }
            if sqlite {
                try await session.raw(
                    """
                    DELETE FROM vector_store_chunks_fts WHERE rowid IN \
                    (SELECT id FROM vector_store_chunks WHERE store_id = \(bind: storeID) AND file_id = \(bind: fileID))
                    """
                ).run()
            }
            try await session.delete(from: "vector_store_chunks").where("store_id", .equal, storeID).where("file_id", .equal, fileID).run()
            try await SQLGatewayStore.bumpVectorStoreVersion(storeID, on: session)
            return true
        }
    }

    // MARK: Ingestion

    package func unclaimedVectorStoreFiles(now: Date, limit: Int) async throws -> [VectorStoreFile] {
        try await database.select().columns(Self.vectorStoreFileColumns).from("vector_store_files")
            .where("status", .equal, VectorStoreFile.Status.inProgress.rawValue)
            .where { Self.claimLapsed($0, at: now) }
            .orderBy("created_at").orderBy("store_id").orderBy("file_id")
            .limit(limit).all().map(Self.storedVectorStoreFile(from:))
    }

    package func claimVectorStoreFile(storeID: String, fileID: String, token: String, until: Date, now: Date) async throws -> Bool {
        try await !database.update("vector_store_files").set("claimed_until", to: Self.timestamp(until)).set("claim_token", to: token)
            .where("store_id", .equal, storeID).where("file_id", .equal, fileID)
            .where("status", .equal, VectorStoreFile.Status.inProgress.rawValue)
            .where { Self.claimLapsed($0, at: now) }
            .returning("file_id").all().isEmpty
    }

    package func renewVectorStoreFileClaim(storeID: String, fileID: String, token: String, until: Date) async throws -> Bool {
        try await !database.update("vector_store_files").set("claimed_until", to: Self.timestamp(until))
            .where("store_id", .equal, storeID).where("file_id", .equal, fileID)
            .where("status", .equal, VectorStoreFile.Status.inProgress.rawValue).where("claim_token", .equal, token)
            .returning("file_id").all().isEmpty
    }

    /// In one transaction on PostgreSQL. On SQLite (statement by statement, see ``inTransaction(_:)``) the
    /// conditional update of the file's status comes last and decides: when the file was removed (or completed by
    /// another replica whose claim outlived this one's) since the first check, the chunks stored here, and only
    /// those, are taken back, so no chunk outlives its file and none is stored twice.
    package func completeVectorStoreFile(storeID: String, fileID: String, token: String, chunks: [KnowledgeChunk], usageBytes: Int) async throws -> Bool {
        let sqlite = usesSQLite
        let inProgress = VectorStoreFile.Status.inProgress.rawValue
        return try await inTransaction { session -> Bool in
            var check = session.select().column("status").from("vector_store_files")
                .where("store_id", .equal, storeID).where("file_id", .equal, fileID).where("claim_token", .equal, token)
            // On PostgreSQL the row stays locked to the end: a removal waits for this completion, never interleaves.
            if !sqlite { check = check.for(.update) }
            let status = try await check.first(decodingColumn: "status", as: String.self)
            guard status == inProgress else { return false }
            // What an attempt cut short (a failed statement on SQLite, a crash) left behind goes first.
            if sqlite {
                try await session.raw(
                    "DELETE FROM vector_store_chunks_fts WHERE rowid IN (SELECT id FROM vector_store_chunks WHERE store_id = \(bind: storeID) AND file_id = \(bind: fileID))"
                ).run()
            }
            try await session.delete(from: "vector_store_chunks").where("store_id", .equal, storeID).where("file_id", .equal, fileID).run()

            var ids: [Int] = []
            let rows = SQLGatewayStore.knowledgeRowsPerStatement
            for start in stride(from: 0, to: chunks.count, by: rows) {
                var insert = session.insert(into: "vector_store_chunks").columns("store_id", "file_id", "position", "text", "vector")
                for chunk in chunks[start..<min(start + rows, chunks.count)] {
                    // No vector is an empty blob, written as a literal so that no binding can turn it into NULL.
                    let vector: any SQLExpression =
                        if let data = SQLGatewayStore.cacheVectorData(chunk.vector) { SQLBind(data) } else { SQLRaw(sqlite ? "X''" : "''::bytea") }
                    insert = insert.values(
                        SQLBind(storeID), SQLBind(fileID), SQLBind(chunk.position),
                        SQLBind(ColumnValue.storable(chunk.text, limit: ColumnValue.longTextBytes)), vector)
                }
                ids += try await insert.returning("id").all(decodingColumn: "id", as: Int.self)
            }
            if sqlite {
                for start in stride(from: 0, to: ids.count, by: rows) {
                    let batch: [any Encodable & Sendable] = ids[start..<min(start + rows, ids.count)].map { $0 }
                    try await session.raw(
                        "INSERT INTO vector_store_chunks_fts (rowid, text) SELECT id, text FROM vector_store_chunks WHERE id IN (\(binds: batch))"
                    ).run()
                }
            }

            let completed = try await !session.update("vector_store_files")
                .set("status", to: VectorStoreFile.Status.completed.rawValue).set("usage_bytes", to: usageBytes)
                .set("last_error", to: SQLLiteral.null).set("claimed_until", to: SQLLiteral.null)
                .where("store_id", .equal, storeID).where("file_id", .equal, fileID).where("status", .equal, inProgress)
                .where("claim_token", .equal, token)
                .returning("file_id").all().isEmpty
            guard completed else {
                for start in stride(from: 0, to: ids.count, by: rows) {
                    let batch: [any Encodable & Sendable] = ids[start..<min(start + rows, ids.count)].map { $0 }
                    if sqlite { try await session.raw("DELETE FROM vector_store_chunks_fts WHERE rowid IN (\(binds: batch))").run() }
                    try await session.raw("DELETE FROM vector_store_chunks WHERE id IN (\(binds: batch))").run()
                }
                return false
            }
            try await SQLGatewayStore.bumpVectorStoreVersion(storeID, on: session)
            return true
        }
    }

    package func failVectorStoreFile(storeID: String, fileID: String, token: String, error: String) async throws {
        try await database.update("vector_store_files")
            .set("status", to: VectorStoreFile.Status.failed.rawValue)
            .set("last_error", to: ColumnValue.storable(error, limit: ColumnValue.longTextBytes))
            .set("claimed_until", to: SQLLiteral.null)
            .where("store_id", .equal, storeID).where("file_id", .equal, fileID)
            .where("status", .equal, VectorStoreFile.Status.inProgress.rawValue).where("claim_token", .equal, token)
            .run()
    }

    package func releaseVectorStoreFile(storeID: String, fileID: String, token: String) async throws {
        try await database.update("vector_store_files")
            .set("claimed_until", to: SQLLiteral.null)
            .where("store_id", .equal, storeID).where("file_id", .equal, fileID)
            .where("status", .equal, VectorStoreFile.Status.inProgress.rawValue).where("claim_token", .equal, token)
            .run()
    }

    // MARK: Search

    package func knowledgeChunks(storeID: String, fileIDs: [String]?) async throws -> [KnowledgeChunk] {
        guard let fileIDs else { return try await knowledgeChunks(storeID: storeID, filter: SQLRaw("")) }
        var chunks: [KnowledgeChunk] = []
        for start in stride(from: 0, to: fileIDs.count, by: Self.knowledgeRowsPerStatement) {
            let batch: [any Encodable & Sendable] = fileIDs[start..<min(start + Self.knowledgeRowsPerStatement, fileIDs.count)].map { $0 }
            chunks += try await knowledgeChunks(storeID: storeID, filter: SQLQueryString("AND c.file_id IN (\(binds: batch))"))
        }
        return chunks
    }

    private func knowledgeChunks(storeID: String, filter: any SQLExpression) async throws -> [KnowledgeChunk] {
        try await database.raw(
            """
            SELECT c.file_id, c.position, c.text, c.vector FROM vector_store_chunks c \
            JOIN vector_store_files f ON f.store_id = c.store_id AND f.file_id = c.file_id AND f.status = 'completed' \
            WHERE c.store_id = \(bind: storeID) \(filter) ORDER BY c.file_id, c.position
            """
        ).all().map { row in
            KnowledgeChunk(
                fileID: try row.decode(column: "file_id", as: String.self), position: try row.decode(column: "position", as: Int.self),
                text: try row.decode(column: "text", as: String.self),
                // A vector that does not decode is none: the chunk stays findable by its words.
                vector: Self.cacheVector(try row.decode(column: "vector", as: Data.self)) ?? [])
        }
    }

    /// Each term is cut to its letters and digits (so none can carry query syntax) and they are joined with OR;
    /// each database stems them as it stemmed the chunks (SQLite's Porter stemmer, PostgreSQL's English
    /// configuration), so "running" finds "run". Only chunks of completed files are found.
    package func lexicalMatches(storeID: String, terms: [String], limit: Int) async throws -> [LexicalMatch] {
        let words = terms.map { term in String(term.filter { $0.isLetter || $0.isNumber }) }.filter { !$0.isEmpty }
        guard !words.isEmpty, limit > 0 else { return [] }
        let query: SQLQueryString
        if usesSQLite {
            let match = words.map { "\"\($0)\"" }.joined(separator: " OR ")
            query = """
                SELECT c.file_id, c.position FROM vector_store_chunks_fts \
                JOIN vector_store_chunks c ON c.id = vector_store_chunks_fts.rowid \
                JOIN vector_store_files f ON f.store_id = c.store_id AND f.file_id = c.file_id AND f.status = 'completed' \
                WHERE vector_store_chunks_fts MATCH \(bind: match) AND c.store_id = \(bind: storeID) \
                ORDER BY bm25(vector_store_chunks_fts), c.id LIMIT \(bind: limit)
                """
        } else {
            let tsquery = words.joined(separator: " | ")
            query = """
                SELECT c.file_id, c.position FROM vector_store_chunks c \
                JOIN vector_store_files f ON f.store_id = c.store_id AND f.file_id = c.file_id AND f.status = 'completed' \
                WHERE c.store_id = \(bind: storeID) AND c.tsv @@ to_tsquery('english', \(bind: tsquery)) \
                ORDER BY ts_rank_cd(c.tsv, to_tsquery('english', \(bind: tsquery))) DESC, c.id LIMIT \(bind: limit)
                """
        }
        return try await database.raw(query).all().map { row in
            LexicalMatch(fileID: try row.decode(column: "file_id", as: String.self), position: try row.decode(column: "position", as: Int.self))
        }
    }

    // MARK: Helpers

    private var usesSQLite: Bool {
        if case .sqlite = connections { true } else { false }
    }

    /// Adds one to the store's version: what search sees of it changed.
    private static func bumpVectorStoreVersion(_ storeID: String, on database: any SQLDatabase) async throws {
        try await database.update("vector_stores").set("version", to: SQLRaw("version + 1")).where("id", .equal, storeID).run()
    }

    /// No claim holds at `now`: never claimed, or claimed until before it.
    private static func claimLapsed(_ group: SQLPredicateGroupBuilder, at now: Date) -> SQLPredicateGroupBuilder {
        group.where(SQLIdentifier("claimed_until"), .is, SQLLiteral.null).orWhere("claimed_until", .lessThan, timestamp(now))
    }

    private static let vectorStoreColumns = ["id", "scope", "name", "metadata", "created_at"]

    private static let vectorStoreFileColumns = [
        "store_id", "file_id", "filename", "status", "last_error", "max_chunk_tokens", "overlap_tokens", "attributes", "usage_bytes", "key_id",
        "claimed_until", "created_at",
    ]

    private static func vectorStoreMetadataText(_ metadata: [String: String]) -> String {
        text(.object(metadata.mapValues(JSONValue.string)))
    }

    private static func storedVectorStore(from row: any SQLRow) throws -> StoredVectorStore {
        let metadata = try JSONValue(decoding: try row.decode(column: "metadata", as: String.self)).object ?? [:]
        return StoredVectorStore(
            id: try row.decode(column: "id", as: String.self), scope: try row.decode(column: "scope", as: String.self),
            name: try row.decode(column: "name", as: String.self), metadata: metadata.compactMapValues(\.string),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }

    private static func storedVectorStoreFile(from row: any SQLRow) throws -> VectorStoreFile {
        VectorStoreFile(
            storeID: try row.decode(column: "store_id", as: String.self), fileID: try row.decode(column: "file_id", as: String.self),
            filename: try row.decode(column: "filename", as: String.self),
            status: VectorStoreFile.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            lastError: try row.decode(column: "last_error", as: String?.self),
            maxChunkTokens: try row.decode(column: "max_chunk_tokens", as: Int.self),
            overlapTokens: try row.decode(column: "overlap_tokens", as: Int.self),
            attributes: try JSONValue(decoding: try row.decode(column: "attributes", as: String.self)).object ?? [:],
            usageBytes: try row.decode(column: "usage_bytes", as: Int.self), keyID: try row.decode(column: "key_id", as: String?.self),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }
}
