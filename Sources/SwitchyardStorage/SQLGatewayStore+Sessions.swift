package import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    private static let uiSessionColumns = ["digest", "csrf_token", "key_digest", "created_at", "expires_at"]

    package func insert(_ session: UISession) async throws {
        try await database.insert(into: "ui_sessions")
            .columns(Self.uiSessionColumns)
            .values(
                SQLBind(session.digest), SQLBind(session.csrfToken), SQLBind(session.keyDigest), SQLBind(Self.timestamp(session.createdAt)),
                SQLBind(Self.timestamp(session.expiresAt)))
            .run()
    }

    package func session(digest: String) async throws -> UISession? {
        try await database.select().columns(Self.uiSessionColumns).from("ui_sessions").where("digest", .equal, digest)
            .first().map(Self.uiSession(from:))
    }

    package func deleteSession(digest: String) async throws {
        try await database.delete(from: "ui_sessions").where("digest", .equal, digest).run()
    }

    package func pruneSessions(before date: Date) async throws {
        try await database.delete(from: "ui_sessions").where("expires_at", .lessThan, Self.timestamp(date)).run()
    }

    private static func uiSession(from row: any SQLRow) throws -> UISession {
        UISession(
            digest: try row.decode(column: "digest", as: String.self),
            csrfToken: try row.decode(column: "csrf_token", as: String.self),
            keyDigest: try row.decode(column: "key_digest", as: String.self),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            expiresAt: date(try row.decode(column: "expires_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
    }
}
