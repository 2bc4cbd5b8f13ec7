import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SwitchyardCore

/// The embedded store: one SQLite database file (or memory), reached through SQLKit.
public final class SQLiteGatewayStore: GatewayStore {
    private let connection: SQLiteConnection
    private let database: any SQLDatabase

    private init(connection: SQLiteConnection) {
        self.connection = connection
        database = connection.sql()
    }

    /// Opens (creating if needed) the database at `location` and brings its schema up to date.
    public static func open(_ location: StorageLocation, logger: Logger) async throws -> SQLiteGatewayStore {
        let storage: SQLiteConnection.Storage
        switch location {
        case .sqliteFile(let path): storage = .file(path: path)
        case .sqliteInMemory: storage = .memory
        }
        let connection = try await SQLiteConnection.open(
            storage: storage, threadPool: .singleton, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        let store = SQLiteGatewayStore(connection: connection)
        do {
            try await store.database.raw("PRAGMA journal_mode=WAL").run()
            try await store.database.raw("PRAGMA busy_timeout=5000").run()
            // IMMEDIATE takes the write lock up front, so two processes starting on one file migrate one at a time.
            try await store.database.raw("BEGIN IMMEDIATE").run()
            do {
                try await SchemaMigration.migrate(store.database)
                try await store.database.raw("COMMIT").run()
            } catch {
                try? await store.database.raw("ROLLBACK").run()
                throw error
            }
        } catch {
            try? await connection.close()
            throw error
        }
        return store
    }

    private static let masterKeySetting = "master_key_sha256"

    public func masterKeyDigest() async throws -> SecretDigest? {
        let hex = try await database.select().column("value").from("gateway_settings")
            .where("name", .equal, Self.masterKeySetting)
            .first(decodingColumn: "value", as: String.self)
        return hex.flatMap(SecretDigest.init(hex:))
    }

    public func saveMasterKeyDigest(_ digest: SecretDigest) async throws {
        try await database.insert(into: "gateway_settings")
            .columns("name", "value")
            .values(SQLBind(Self.masterKeySetting), SQLBind(digest.hex))
            .onConflict(with: ["name"]) { $0.set(excludedValueOf: "value") }
            .run()
    }

    public func checkHealth() async throws {
        _ = try await database.raw("SELECT 1 AS ok").first()
    }

    public func close() async throws {
        try await connection.close()
    }
}
