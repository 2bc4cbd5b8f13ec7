import Foundation
import Logging
import SQLKit
import SwitchyardCore
import Testing

@testable import SwitchyardStorage

/// A database to test against, made fresh for each test and removed after.
enum TestDatabase: CustomStringConvertible, CaseIterable {
    case sqlite
    case postgres

    var description: String { self == .sqlite ? "SQLite" : "PostgreSQL" }

    /// The PostgreSQL server the suite runs against: `.ci/run` starts one on loopback and sets this.
    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]

    /// The databases available here: SQLite always, PostgreSQL when a server is configured.
    static var available: [TestDatabase] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// Runs `body` with the location of a new, empty database.
    func withLocation<T>(_ body: (StorageLocation) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID().uuidString).db").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            return try await body(.sqliteFile(path: path))
        case .postgres:
            let base = Self.postgresURL!
            let name = "switchyard_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
            let admin = try await SQLGatewayStore.open(.postgres(url: base), logger: Logger(label: "test"))
            try await admin.database.raw("CREATE DATABASE \(unsafeRaw: name)").run()
            var components = URLComponents(string: base)!
            components.path = "/" + name
            let url = components.string!
            do {
                let result = try await body(.postgres(url: url))
                try await admin.database.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                try await admin.close()
                return result
            } catch {
                try? await admin.database.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                try? await admin.close()
                throw error
            }
        }
    }
}

@Suite("Gateway store on SQLite and PostgreSQL")
struct GatewayStoreTests {
    let logger = Logger(label: "test")

    @Test("the master key digest survives a restart, and migrations run once", arguments: TestDatabase.available)
    func persistence(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            let digest = SecretDigest(of: "sk-sy-secret")
            let first = try await SQLGatewayStore.open(location, logger: logger)
            #expect(try await first.masterKeyDigest() == nil)
            try await first.saveMasterKeyDigest(digest)
            try await first.checkHealth()
            try await first.close()

            let second = try await SQLGatewayStore.open(location, logger: logger)
            let stored = try #require(try await second.masterKeyDigest())
            #expect(stored == digest)
            #expect(stored.matches(SecretDigest(of: "sk-sy-secret")))
            #expect(!stored.matches(SecretDigest(of: "sk-sy-secreT")))
            let versions = try await second.database.select().column("version").from("switchyard_migrations").all()
            #expect(versions.count == SchemaMigration.all.count)
            try await second.close()
        }
    }

    // SQLite serves one process (its blocking lock waits would tie up one process's whole thread pool), so
    // replicas starting together are a PostgreSQL case.
    @Test("replicas starting together on one database migrate once", arguments: TestDatabase.available.filter { $0 == .postgres })
    func concurrentStarts(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            let stores = try await withThrowingTaskGroup(of: SQLGatewayStore.self) { group in
                for _ in 0..<4 { group.addTask { try await SQLGatewayStore.open(location, logger: logger) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let versions = try await stores[0].database.select().column("version").from("switchyard_migrations").all()
            #expect(versions.count == SchemaMigration.all.count)
            for store in stores { try await store.close() }
        }
    }

    @Test("an in-memory SQLite store works and a closed store reports unhealthy")
    func memory() async throws {
        let store = try await SQLGatewayStore.open(.sqliteInMemory, logger: logger)
        try await store.checkHealth()
        try await store.close()
        await #expect(throws: (any Error).self) { try await store.checkHealth() }
    }

    @Test("an unreachable PostgreSQL server is reported, not hung on")
    func unreachable() async throws {
        let start = ContinuousClock.now
        await #expect(throws: (any Error).self) {
            _ = try await SQLGatewayStore.open(.postgres(url: "postgres://nobody:nothing@127.0.0.1:9/none"), logger: logger)
        }
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test("digests round-trip through hex and generated keys are unique")
    func digests() {
        let digest = SecretDigest(of: "abc")
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretDigest(hex: digest.hex) == digest)
        #expect(SecretDigest(hex: "zz") == nil)
        let keys = Set((0..<100).map { _ in SecretGenerator.makeKey() })
        #expect(keys.count == 100)
        #expect(keys.allSatisfy { $0.hasPrefix("sk-sy-") && $0.count == 54 })
    }
}

@Suite("Keys and teams in storage")
struct KeyStoreTests {
    let logger = Logger(label: "test")

    func makeKey(_ name: String, team: String? = nil) -> VirtualKey {
        VirtualKey(
            id: "key_\(name)", name: name, prefix: "sk-sy-abcd", digest: SecretDigest(of: "secret-\(name)"), teamID: team, models: ["chat", "gpt-*"],
            limits: UsageLimits(rpm: 10, maxBudgetUSD: 2.5, budgetPeriod: .monthly), expiresAt: Date(timeIntervalSince1970: 2_000_000_000.25),
            metadata: ["owner": "ana"], createdAt: Date(timeIntervalSince1970: 1_700_000_000.5))
    }

    @Test("keys and teams round-trip; deletes cascade; names are unique among active rows", arguments: TestDatabase.available)
    func roundTrip(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            let store = try await SQLGatewayStore.open(location, logger: logger)
            let team = Team(id: "team_1", name: "search", models: nil, limits: UsageLimits(tpm: 1000), createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            try await store.insert(team)
            let key = makeKey("indexer", team: "team_1")
            try await store.insert(key)
            #expect(try await store.key(id: key.id) == key)
            #expect(try await store.team(id: "team_1") == team)
            #expect(try await store.activeKeys() == [key])
            await #expect(throws: GatewayError.self) { try await store.insert(makeKey("indexer")) }
            await #expect(throws: GatewayError.self) { try await store.insert(team) }

            #expect(try await store.deleteTeam(id: "team_1"))
            #expect(try await store.activeKeys().isEmpty)
            #expect(try await store.teams().isEmpty)
            #expect(try await store.deleteTeam(id: "team_1") == false)
            // A deleted name can be used again.
            try await store.insert(makeKey("indexer").withID("key_2"))
            #expect(try await store.activeKeys().map(\.id) == ["key_2"])
            #expect(try await store.deleteKey(id: "key_2"))
            #expect(try await store.deleteKey(id: "key_2") == false)
            try await store.close()
        }
    }
}

extension KeyStoreTests {
    @Test("every change to keys or teams, and only a change, moves the key revision", arguments: TestDatabase.available)
    func revision(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            let store = try await SQLGatewayStore.open(location, logger: logger)
            var seen = [try await store.keysRevision()]
            func changed() async throws -> Bool {
                let revision = try await store.keysRevision()
                defer { seen.append(revision) }
                return revision != seen.last
            }
            try await store.insert(Team(id: "team_1", name: "search", models: nil, limits: UsageLimits(), createdAt: Date()))
            #expect(try await changed())
            var key = makeKey("indexer", team: "team_1")
            try await store.insert(key)
            #expect(try await changed())
            _ = try await store.activeKeys()
            #expect(try await changed() == false)
            key.name = "renamed"
            #expect(try await store.update(key))
            #expect(try await changed())
            #expect(try await store.deleteKey(id: key.id))
            #expect(try await changed())
            #expect(try await store.deleteTeam(id: "team_1"))
            #expect(try await changed())
            try await store.close()
        }
    }
}

extension VirtualKey {
    fileprivate func withID(_ id: String) -> VirtualKey {
        var copy = self
        copy.id = id
        copy.digest = SecretDigest(of: id)
        return copy
    }
}
