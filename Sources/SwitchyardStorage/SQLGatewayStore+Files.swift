import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    package func insertFile(_ file: StoredFile) async throws {
        try await database.insert(into: "files")
            .columns("id", "scope", "filename", "purpose", "bytes", "content", "created_at")
            .values(
                SQLBind(file.id), SQLBind(file.scope), SQLBind(file.filename), SQLBind(file.purpose), SQLBind(file.bytes),
                SQLBind(file.content), SQLBind(Self.timestamp(file.createdAt)))
            .run()
    }

    package func file(id: String, scope: String?, withContent: Bool) async throws -> StoredFile? {
        var select = database.select().columns(withContent ? Self.fileColumns + ["content"] : Self.fileColumns).from("files").where("id", .equal, id)
        if let scope { select = select.where("scope", .equal, scope) }
        return try await select.first().map { try Self.file(from: $0, withContent: withContent) }
    }

    package func files(scope: String?, purpose: String?, after: String?, limit: Int, ascending: Bool) async throws -> [StoredFile] {
        var select = database.select().columns(Self.fileColumns).from("files")
        if let scope { select = select.where("scope", .equal, scope) }
        if let purpose { select = select.where("purpose", .equal, purpose) }
        if let after, let anchor = try await file(id: after, scope: scope, withContent: false) {
            // Files in order of (created_at, id): those past the anchor's place.
            let time = Self.timestamp(anchor.createdAt)
            select = select.where { group in
                group.where("created_at", ascending ? .greaterThan : .lessThan, time)
                    .orWhere { same in same.where("created_at", .equal, time).where("id", ascending ? .greaterThan : .lessThan, anchor.id) }
            }
        }
        return try await select.orderBy("created_at", ascending ? .ascending : .descending).orderBy("id", ascending ? .ascending : .descending)
            .limit(limit).all().map { try Self.file(from: $0, withContent: false) }
    }

    package func deleteFile(id: String, scope: String?) async throws -> Bool {
        var delete = database.delete(from: "files").where("id", .equal, id)
        if let scope { delete = delete.where("scope", .equal, scope) }
        return try await !delete.returning("id").all().isEmpty
    }

    private static let fileColumns = ["id", "scope", "filename", "purpose", "bytes", "created_at"]

    private static func file(from row: any SQLRow, withContent: Bool) throws -> StoredFile {
        StoredFile(
            id: try row.decode(column: "id", as: String.self), scope: try row.decode(column: "scope", as: String.self),
            filename: try row.decode(column: "filename", as: String.self), purpose: try row.decode(column: "purpose", as: String.self),
            bytes: try row.decode(column: "bytes", as: Int.self),
            content: withContent ? try row.decode(column: "content", as: Data.self) : Data(),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }
}
