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

    @Test("forgetting a user is noted (per tenant, or everywhere by the operator); trimming keeps the newest", arguments: TestDatabase.available)
    func forgetsAndTrims(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            #expect(try await store.forgottenAt(scope: "team:red", user: "u1") == nil)
            let before = Date().addingTimeInterval(-1)
            _ = try await store.deleteMemories(scope: "team:red", user: "u1")
            #expect(try #require(try await store.forgottenAt(scope: "team:red", user: "u1")) > before)
            #expect(try await store.forgottenAt(scope: "team:blue", user: "u1") == nil)
            _ = try await store.deleteMemories(scope: nil, user: "u2")
            #expect(try await store.forgottenAt(scope: "team:blue", user: "u2") != nil, "the operator's forget holds in every tenant")

            try await store.insertMemories((0..<7).map { memory("mem_\($0)", seconds: Double($0)) })
            try await store.trimMemories(scope: "team:red", user: "u1", keeping: 3)
            #expect(try await store.memories(scope: "team:red", user: "u1").map(\.id) == ["mem_4", "mem_5", "mem_6"])
        }
    }
}
