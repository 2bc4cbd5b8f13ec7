package import Foundation
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
        try await database.insert(into: "memory_forgets").columns("scope", "user_name", "forgotten_at")
            .values(SQLBind(scope ?? "*"), SQLBind(user), SQLBind(Self.timestamp(Date())))
            .onConflict(with: ["scope", "user_name"]) { $0.set(excludedValueOf: "forgotten_at") }.run()
        var delete = database.delete(from: "memories").where("user_name", .equal, user)
        if let scope { delete = delete.where("scope", .equal, scope) }
        return try await delete.returning("id").all().count
    }

    package func forgottenAt(scope: String, user: String) async throws -> Date? {
        try await database.select().column("forgotten_at").from("memory_forgets").where("user_name", .equal, user)
            .where("scope", .in, [scope, "*"]).all()
            .compactMap { Self.date(try $0.decode(column: "forgotten_at", as: String.self)) }.max()
    }

    package func trimMemories(scope: String, user: String, keeping: Int) async throws {
        let older = try await database.select().column("id").from("memories").where("scope", .equal, scope).where("user_name", .equal, user)
            .orderBy("created_at", .descending).orderBy("id", .descending).limit(1_000_000).offset(max(0, keeping)).all()
            .map { try $0.decode(column: "id", as: String.self) }
        for start in stride(from: 0, to: older.count, by: 500) {
            try await database.delete(from: "memories").where("id", .in, Array(older[start..<min(start + 500, older.count)])).run()
        }
    }
}
