import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    package func memories(scope: String?, user: String) async throws -> [Memory] {
        var select = database.select().columns("id", "scope", "user_name", "text", "vector", "created_at").from("memories")
            .where("user_name", .equal, user)
        if let scope { select = select.where("scope", .equal, scope) }
        return try await select.orderBy("created_at").orderBy("id").all().compactMap { row in
            guard let vector = Self.cacheVector(try row.decode(column: "vector", as: Data.self)) else { return nil }
            return Memory(
                id: try row.decode(column: "id", as: String.self), scope: try row.decode(column: "scope", as: String.self),
                user: try row.decode(column: "user_name", as: String.self), text: try row.decode(column: "text", as: String.self), vector: vector,
                createdAt: Self.date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
        }
    }

    package func insertMemories(_ memories: [Memory]) async throws {
        guard !memories.isEmpty else { return }
        var insert = database.insert(into: "memories").columns("id", "scope", "user_name", "text", "vector", "created_at")
        for memory in memories {
            insert = insert.values(
                SQLBind(memory.id), SQLBind(memory.scope), SQLBind(memory.user), SQLBind(memory.text),
                SQLBind(Self.cacheVectorData(memory.vector) ?? Data()), SQLBind(Self.timestamp(memory.createdAt)))
        }
        do {
            try await insert.run()
        } catch {
            throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
        }
    }

    package func deleteMemory(id: String, scope: String?) async throws -> Bool {
        var delete = database.delete(from: "memories").where("id", .equal, id)
        if let scope { delete = delete.where("scope", .equal, scope) }
        return try await !delete.returning("id").all().isEmpty
    }

    package func deleteMemories(scope: String?, user: String) async throws -> Int {
        var delete = database.delete(from: "memories").where("user_name", .equal, user)
        if let scope { delete = delete.where("scope", .equal, scope) }
        return try await delete.returning("id").all().count
    }
}
