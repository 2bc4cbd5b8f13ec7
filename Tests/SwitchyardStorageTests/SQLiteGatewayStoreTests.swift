import Foundation
import Logging
import SwitchyardCore
import SwitchyardStorage
import Testing

@Suite("SQLite store")
struct SQLiteGatewayStoreTests {
    @Test("the master key digest survives a restart, and migrations run once")
    func persistence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let logger = Logger(label: "test")
        let digest = SecretDigest(of: "sk-sy-secret")
        let first = try await SQLiteGatewayStore.open(.sqliteFile(path: path), logger: logger)
        #expect(try await first.masterKeyDigest() == nil)
        try await first.saveMasterKeyDigest(digest)
        try await first.checkHealth()
        try await first.close()

        let second = try await SQLiteGatewayStore.open(.sqliteFile(path: path), logger: logger)
        let stored = try #require(try await second.masterKeyDigest())
        #expect(stored == digest)
        #expect(stored.matches("sk-sy-secret"))
        #expect(!stored.matches("sk-sy-secreT"))
        try await second.close()
    }

    @Test("an in-memory store works and a closed store reports unhealthy")
    func memory() async throws {
        let store = try await SQLiteGatewayStore.open(.sqliteInMemory, logger: Logger(label: "test"))
        try await store.checkHealth()
        try await store.close()
        await #expect(throws: (any Error).self) { try await store.checkHealth() }
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
