import Foundation
import Logging
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardStorage

@Suite("Responses and idempotency keys on SQLite and PostgreSQL")
struct ResponseStoreTests {
    let logger = Logger(label: "test")

    @Test("responses are scoped, updated only from the named statuses, deleted and pruned", arguments: TestDatabase.available)
    func responses(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            let store = try await SQLGatewayStore.open(location, logger: logger)
            let created = Date(timeIntervalSince1970: 1_790_000_000)
            let response = StoredResponse(
                id: "resp_1", scope: "team:red", model: "chat", status: "queued", previousResponseID: nil, depth: 0, background: true,
                request: ["model": "chat", "tools": []], inputItems: [["type": "message", "role": "user", "content": "hi"]],
                response: ["id": "resp_1", "status": "queued"], createdAt: created)
            try await store.insertResponse(response)
            #expect(try await store.response(id: "resp_1", scope: "team:red") == response)
            #expect(try await store.response(id: "resp_1", scope: "team:blue") == nil, "another scope sees nothing")

            #expect(try await store.updateResponse(id: "resp_1", status: "cancelled", response: ["id": "resp_1", "status": "cancelled"], onlyFrom: ["queued", "in_progress"]))
            #expect(try await !store.updateResponse(id: "resp_1", status: "completed", response: ["id": "resp_1"], onlyFrom: ["queued", "in_progress"]),
                "a cancelled response stays cancelled")
            #expect(try await store.response(id: "resp_1", scope: "team:red")?.status == "cancelled")

            #expect(try await !store.deleteResponse(id: "resp_1", scope: "team:blue"))
            var second = response
            second.id = "resp_2"
            second.createdAt = created.addingTimeInterval(3600)
            try await store.insertResponse(second)
            #expect(try await store.pruneResponses(before: created.addingTimeInterval(60)) == 1)
            #expect(try await store.response(id: "resp_1", scope: "team:red") == nil)
            #expect(try await store.deleteResponse(id: "resp_2", scope: "team:red"))
            #expect(try await store.response(id: "resp_2", scope: "team:red") == nil)
            try await store.close()
        }
    }

    @Test("an idempotency key is claimed once, answered, replayed, given up, and expires", arguments: TestDatabase.available)
    func idempotencyKeys(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            let store = try await SQLGatewayStore.open(location, logger: logger)
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            func claim(_ fingerprint: String = "f1", at time: Date = now, scope: String = "key:a") async throws -> IdempotencyRecord? {
                try await store.claimIdempotencyKey(
                    scope: scope, key: "k", fingerprint: fingerprint, now: time, expiredBefore: time.addingTimeInterval(-86_400),
                    pendingExpiredBefore: time.addingTimeInterval(-600))
            }
            #expect(try await claim() == nil, "the first claim takes the key")
            #expect(try await claim() == IdempotencyRecord(fingerprint: "f1", status: nil, contentType: nil, body: nil), "a second sees it running")
            #expect(try await claim(scope: "key:b") == nil, "another caller's key of the same name is its own")
            try await store.completeIdempotencyKey(scope: "key:a", key: "k", status: 200, contentType: "application/json", body: #"{"id":"x"}"#)
            #expect(try await claim("f2") == IdempotencyRecord(fingerprint: "f1", status: 200, contentType: "application/json", body: #"{"id":"x"}"#))
            // An answer is kept for a day; a claim that never got one, for ten minutes.
            #expect(try await claim("f3", at: now.addingTimeInterval(86_401)) == nil)
            #expect(try await claim("f4", at: now.addingTimeInterval(86_401 + 601)) == nil)
            try await store.releaseIdempotencyKey(scope: "key:a", key: "k")
            #expect(try await claim("f5") == nil, "a released key can be claimed again")
            #expect(try await store.pruneIdempotencyKeys(before: now.addingTimeInterval(1)) == 2)
            try await store.close()
        }
    }
}
