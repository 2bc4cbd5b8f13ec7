import Foundation
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardStorage

@Suite("Conversations on SQLite and PostgreSQL")
struct ConversationStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    func message(_ id: String, _ text: String) -> JSONValue {
        ["type": "message", "id": .string(id), "role": "user", "content": [["type": "input_text", "text": .string(text)]]]
    }

    @Test("a conversation round-trips with its metadata; another scope does not find it, a nil scope does", arguments: TestDatabase.available)
    func roundTrip(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let conversation = StoredConversation(id: "conv_1", scope: "team:red", metadata: ["topic": "weather"], createdAt: Self.now)
            try await store.insertConversation(conversation, items: [message("m1", "first"), message("m2", "second")])
            #expect(try await store.conversation(id: "conv_1", scope: "team:red") == conversation)
            #expect(try await store.conversation(id: "conv_1", scope: "team:blue") == nil)
            #expect(try await store.conversation(id: "conv_1", scope: nil) == conversation)
            #expect(try await store.updateConversation(id: "conv_1", scope: "team:blue", metadata: [:]) == nil)
            #expect(try await store.updateConversation(id: "conv_1", scope: "team:red", metadata: ["a": "b"])?.metadata == ["a": "b"])
            let items = try await store.conversationItems(conversationID: "conv_1", afterPosition: nil, limit: 10, ascending: true)
            #expect(items.map(\.id) == ["m1", "m2"])
            #expect(items.map(\.position) == [0, 1])
            #expect(items.first?.item == message("m1", "first"))
            #expect(try await store.deleteConversation(id: "conv_1", scope: "team:blue") == false)
            #expect(try await store.deleteConversation(id: "conv_1", scope: "team:red"))
            #expect(try await store.conversation(id: "conv_1", scope: nil) == nil)
            #expect(try await store.conversationItems(conversationID: "conv_1", afterPosition: nil, limit: 10, ascending: true).isEmpty, "items go with it")
        }
    }

    @Test("appends take the next places, even when many run at once; paging reads either way from a place", arguments: TestDatabase.available)
    func appends(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.insertConversation(StoredConversation(id: "conv_2", scope: "key:k", metadata: [:], createdAt: Self.now), items: [])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<10 {
                    group.addTask {
                        _ = try await store.appendConversationItems(
                            conversationID: "conv_2", items: [message("b\(batch)-0", "x"), message("b\(batch)-1", "y")], now: Self.now)
                    }
                }
                try await group.waitForAll()
            }
            let all = try await store.conversationItems(conversationID: "conv_2", afterPosition: nil, limit: 100, ascending: true)
            #expect(all.map(\.position) == Array(0..<20))
            // Each batch's two items sit together, in order.
            for pair in stride(from: 0, to: 20, by: 2) {
                #expect(all[pair].id.hasSuffix("-0") && all[pair + 1].id == all[pair].id.dropLast(2) + "-1")
            }
            let after = try await store.conversationItems(conversationID: "conv_2", afterPosition: 5, limit: 3, ascending: true)
            #expect(after.map(\.position) == [6, 7, 8])
            let before = try await store.conversationItems(conversationID: "conv_2", afterPosition: 5, limit: 3, ascending: false)
            #expect(before.map(\.position) == [4, 3, 2])
            #expect(try await store.deleteConversationItem(conversationID: "conv_2", itemID: all[3].id))
            #expect(try await store.conversationItem(conversationID: "conv_2", itemID: all[3].id) == nil)
            #expect(try await store.conversationItem(conversationID: "conv_2", itemID: all[4].id)?.position == 4)
            #expect(try await store.deleteConversationItem(conversationID: "conv_2", itemID: all[3].id) == false)
        }
    }

    @Test("appending to a missing conversation is a 404; an item id already there is a 400 and adds nothing", arguments: TestDatabase.available)
    func refusedAppends(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            await #expect(throws: GatewayError.self) {
                try await store.appendConversationItems(conversationID: "conv_missing", items: [message("m", "x")], now: Self.now)
            }
            try await store.insertConversation(StoredConversation(id: "conv_3", scope: "master", metadata: [:], createdAt: Self.now), items: [message("m1", "x")])
            do {
                _ = try await store.appendConversationItems(conversationID: "conv_3", items: [message("m2", "y"), message("m1", "again")], now: Self.now)
                Issue.record("a repeated item id was stored")
            } catch let error as GatewayError {
                #expect(error.status == 400)
            }
            let items = try await store.conversationItems(conversationID: "conv_3", afterPosition: nil, limit: 10, ascending: true)
            #expect(items.map(\.id) == ["m1"])
            _ = try await store.appendConversationItems(conversationID: "conv_3", items: [message("m3", "z")], now: Self.now)
            #expect(try await store.conversationItems(conversationID: "conv_3", afterPosition: nil, limit: 10, ascending: true).map(\.id) == ["m1", "m3"])
        }
    }
}
