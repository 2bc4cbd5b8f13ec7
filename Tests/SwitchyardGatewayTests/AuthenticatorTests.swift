import Foundation
import Synchronization
import SwitchyardCore
import Testing

/// Keys and teams in memory.
final class MemoryKeyStore: KeyStore {
    let keys = Mutex<[VirtualKey]>([])
    let failing = Atomic<Bool>(false)

    struct Unreachable: Error {}

    func insert(_ key: VirtualKey) async throws { keys.withLock { $0.append(key) } }
    func activeKeys() async throws -> [VirtualKey] {
        if failing.load(ordering: .relaxed) { throw Unreachable() }
        return keys.withLock { $0 }
    }
    func keysRevision() async throws -> Int {
        if failing.load(ordering: .relaxed) { throw Unreachable() }
        return keys.withLock { $0.count }
    }
    func key(id: String) async throws -> VirtualKey? { keys.withLock { $0.first { $0.id == id } } }
    func update(_ key: VirtualKey) async throws -> Bool { false }
    func deleteKey(id: String) async throws -> Bool { false }
    func insert(_ team: Team) async throws {}
    func teams() async throws -> [Team] { [] }
    func team(id: String) async throws -> Team? { nil }
    func update(_ team: Team) async throws -> Bool { false }
    func deleteTeam(id: String) async throws -> Bool { false }
}

@Suite("Authenticator")
struct AuthenticatorTests {
    @Test("virtual keys fail closed once storage has not confirmed them for the staleness allowed; the master key keeps working")
    func failClosed() async throws {
        let store = MemoryKeyStore()
        try await store.insert(
            VirtualKey(
                id: "k1", name: "k1", prefix: "sk-sy", digest: SecretDigest(of: "sk-virtual-1"), teamID: nil, models: nil, limits: UsageLimits(),
                expiresAt: nil, metadata: [:], createdAt: Date()))
        let directory = KeyDirectory()
        try await directory.refresh(from: store)
        let authenticator = Authenticator(masterKey: SecretDigest(of: "sk-master"), directory: directory, maxStaleness: .seconds(300))
        let now = ContinuousClock.now
        #expect(throws: Never.self) { try authenticator.authenticate("sk-virtual-1", at: now + .seconds(299)) }
        #expect(directory.activeScopes() == ["key:k1"])

        store.failing.store(true, ordering: .relaxed)
        await #expect(throws: MemoryKeyStore.Unreachable.self) { try await directory.refreshIfChanged(from: store) }
        do {
            _ = try authenticator.authenticate("sk-virtual-1", at: now + .seconds(301))
            Issue.record("a key nobody could confirm for 301 s was accepted")
        } catch {
            #expect(error.status == 503)
        }
        #expect(try authenticator.authenticate("sk-master", at: now + .seconds(301)) == .master)

        store.failing.store(false, ordering: .relaxed)
        try await directory.refreshIfChanged(from: store)
        #expect(throws: Never.self) { try authenticator.authenticate("sk-virtual-1") }
    }
}
