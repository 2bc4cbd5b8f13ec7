import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStorage

@Suite("Memories on SQLite and PostgreSQL")
struct MemoryStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    func memory(_ id: String, scope: String = "team:red", user: String = "u1", text: String = "fact", seconds: Double = 0) -> Memory {
        Memory(id: id, scope: scope, user: user, text: text, vector: [0.5, -1, 2], createdAt: Self.now.addingTimeInterval(seconds))
    }

    @Test("memories round-trip per user and tenant, oldest first; deletes take only the tenant's", arguments: TestDatabase.available)
    func roundTrip(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.insertMemories([
                memory("mem_2", text: "second", seconds: 10), memory("mem_1", text: "first"), memory("mem_3", user: "u2"),
                memory("mem_4", scope: "team:blue"),
            ])
            #expect(try await store.memories(scope: "team:red", user: "u1").map(\.id) == ["mem_1", "mem_2"])
            #expect(try await store.memories(scope: "team:red", user: "u1").first == memory("mem_1", text: "first"))
            #expect(try await store.memories(scope: nil, user: "u1").count == 3, "the master key reads every tenant's")
            #expect(try await store.deleteMemory(id: "mem_4", scope: "team:red") == false)
            #expect(try await store.deleteMemory(id: "mem_1", scope: "team:red"))
            #expect(try await store.deleteMemories(scope: "team:red", user: "u1") == 1)
            #expect(try await store.memories(scope: "team:blue", user: "u1").map(\.id) == ["mem_4"])
            #expect(try await store.deleteMemories(scope: nil, user: "u1") == 1)
            #expect(try await store.memories(scope: "team:red", user: "u2").map(\.id) == ["mem_3"])
        }
    }
}
