import Foundation
package import SwitchyardCore
package import SwitchyardWire

/// The memories API: a user's memories listed, one forgotten, or all of a user's (the right to be forgotten).
/// Memories are the caller's tenant's; the master key reads and deletes any tenant's.
package struct MemoryService: Sendable {
    package let memory: LongTermMemory

    package init(memory: LongTermMemory) {
        self.memory = memory
    }

    package func list(user: String?, caller: Caller?) async throws -> JSONValue {
        let user = try Self.required(user)
        let memories = try await memory.store.memories(scope: caller.tenantReadScope, user: user)
        return [
            "object": "list",
            "data": .array(
                memories.map { memory in
                    [
                        "id": .string(memory.id), "object": "memory", "user": .string(memory.user), "text": .string(memory.text),
                        "created_at": .integer(Int64(memory.createdAt.timeIntervalSince1970)),
                    ]
                }),
        ]
    }

    package func delete(id: String, caller: Caller?) async throws -> JSONValue {
        guard id.isStorableName, try await memory.store.deleteMemory(id: id, scope: caller.tenantReadScope) else {
            throw GatewayError(status: 404, kind: .notFound, code: "memory_not_found", message: "No memory '\(id)' was found.")
        }
        return ["id": .string(id), "object": "memory.deleted", "deleted": true]
    }

    /// Forgets every memory of `user`.
    package func forget(user: String?, caller: Caller?) async throws -> JSONValue {
        let user = try Self.required(user)
        let deleted = try await memory.store.deleteMemories(scope: caller.tenantReadScope, user: user)
        return ["object": "memory.deleted", "user": .string(user), "deleted": .integer(Int64(deleted))]
    }

    private static func required(_ user: String?) throws(GatewayError) -> String {
        guard let user, !user.isEmpty else { throw .badRequest("'user' is required: the user whose memories these are.", param: "user") }
        guard user.utf8.count <= LongTermMemory.maximumUserBytes, user.isStorableName else {
            throw .badRequest("'user' must be at most \(LongTermMemory.maximumUserBytes) bytes, without NUL.", param: "user")
        }
        return user
    }
}
