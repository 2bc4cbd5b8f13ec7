@preconcurrency import AsyncKit
package import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
package import SwitchyardCore

/// The gateway's store, one implementation over SQLKit for both databases: SQLite embedded (one file, one
/// process) and PostgreSQL shared by every replica.
package final class SQLGatewayStore: GatewayStore {
    /// What holds the connections, so they can be released.
    enum Connections: Sendable {
        case sqlite(SQLiteConnection)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    let connections: Connections
    /// Whether the store is PostgreSQL's (else SQLite's).
    var isPostgres: Bool { if case .postgres = connections { true } else { false } }
    let database: any SQLDatabase
    let location: StorageLocation

    private init(connections: Connections, database: any SQLDatabase, location: StorageLocation) {
        self.connections = connections
        self.database = database
        self.location = location
    }

    /// Opens (creating if needed) the database at `location` and brings its schema up to date.
    package static func open(_ location: StorageLocation, logger: Logger) async throws -> SQLGatewayStore {
        try await open(location, migrations: SchemaMigration.all, logger: logger)
    }

    /// Opens the database at `location` with `migrations` applied: all of them, but for tests of upgrades.
    static func open(_ location: StorageLocation, migrations: [SchemaMigration], logger: Logger) async throws -> SQLGatewayStore {
        let store: SQLGatewayStore
        switch location {
        case .sqliteFile, .sqliteInMemory:
            let storage: SQLiteConnection.Storage
            if case .sqliteFile(let path) = location { storage = .file(path: path) } else { storage = .memory }
            let connection = try await SQLiteConnection.open(
                storage: storage, threadPool: .singleton, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
            store = SQLGatewayStore(connections: .sqlite(connection), database: connection.sql(), location: location)
        case .postgres(let url):
            let configuration = try SQLPostgresConfiguration(url: url)
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration), maxConnectionsPerEventLoop: 4,
                requestTimeout: .seconds(10), logger: logger, on: MultiThreadedEventLoopGroup.singleton)
            store = SQLGatewayStore(connections: .postgres(pool), database: pool.database(logger: logger).sql(), location: location)
        }
        do {
            try await store.migrate(migrations)
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }

    /// Applies pending migrations while holding the database's write lock, so replicas starting together
    /// migrate one at a time.
    private func migrate(_ migrations: [SchemaMigration]) async throws {
        if case .sqlite = connections {
            // The wait for a lock is set first: switching to WAL needs one when another process holds the file.
            try await database.raw("PRAGMA busy_timeout=5000").run()
            try await database.raw("PRAGMA journal_mode=WAL").run()
            try await database.raw("PRAGMA foreign_keys=ON").run()
            // With WAL, commits need no fsync of their own: the database stays consistent after a crash, and only the
            // last commits before a power loss can be lost. SQLite recommends this for WAL.
            try await database.raw("PRAGMA synchronous=NORMAL").run()
        }
        let isSQLite: Bool = if case .sqlite = connections { true } else { false }
        try await database.withSession { session in
            try await session.raw(isSQLite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                if !isSQLite { try await session.raw("SELECT pg_advisory_xact_lock(7406142)").run() }
                try await SchemaMigration.migrate(session, migrations: migrations)
                try await session.raw("COMMIT").run()
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    private static let masterKeySetting = "master_key_sha256"

    package func masterKeyDigest() async throws -> SecretDigest? {
        let hex = try await database.select().column("value").from("gateway_settings")
            .where("name", .equal, Self.masterKeySetting)
            .first(decodingColumn: "value", as: String.self)
        return hex.flatMap(SecretDigest.init(hex:))
    }

    package func saveMasterKeyDigest(_ digest: SecretDigest) async throws {
        try await database.insert(into: "gateway_settings")
            .columns("name", "value")
            .values(SQLBind(Self.masterKeySetting), SQLBind(digest.hex))
            .onConflict(with: ["name"]) { $0.set(excludedValueOf: "value") }
            .run()
    }

    package func checkHealth() async throws {
        _ = try await database.raw("SELECT 1 AS ok").first()
    }

    package func close() async throws {
        switch connections {
        // The future-based closes run to the end even when the calling task was cancelled.
        case .sqlite(let connection): try await connection.close().get()
        case .postgres(let pool): try await pool.shutdownAsync()
        }
    }
}
