import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    package func insert(_ key: VirtualKey) async throws {
        try await database.withSession { session in
            try await Self.refuseTakenName(key.name, in: "virtual_keys", noun: "key", on: session)
            try await session.insert(into: "virtual_keys")
                .columns(Self.keyColumns)
                .values(
                    SQLBind(key.id), SQLBind(key.name), SQLBind(key.prefix), SQLBind(key.digest.hex), SQLBind(key.teamID),
                    SQLBind(Self.json(key.models)), SQLBind(Self.json(key.limits)), SQLBind(key.expiresAt.map(Self.timestamp)),
                    SQLBind(Self.json(key.metadata)), SQLBind(Self.timestamp(key.createdAt)), SQLBind(Self.json(key.guardrails)))
                .run()
        }
    }

    package func activeKeys() async throws -> [VirtualKey] {
        try await database.select().columns(Self.keyColumns).from("virtual_keys")
            .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null).orderBy("created_at").all().map(Self.key)
    }

    package func keysRevision() async throws -> Int {
        try await database.select().column("revision").from("revisions").where("name", .equal, "keys")
            .first(decodingColumn: "revision", as: Int.self) ?? 0
    }

    package func key(id: String) async throws -> VirtualKey? {
        try await database.select().columns(Self.keyColumns).from("virtual_keys").where("id", .equal, id)
            .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null).first().map(Self.key)
    }

    package func update(_ key: VirtualKey) async throws -> Bool {
        guard try await self.key(id: key.id) != nil else { return false }
        try await Self.refuseTakenName(key.name, in: "virtual_keys", noun: "key", other: key.id, on: database)
        try await database.update("virtual_keys")
            .set("name", to: key.name).set("prefix", to: key.prefix).set("digest", to: key.digest.hex).set("team_id", to: key.teamID)
            .set("models", to: Self.json(key.models)).set("limits", to: Self.json(key.limits))
            .set("expires_at", to: key.expiresAt.map(Self.timestamp)).set("metadata", to: Self.json(key.metadata))
            .set("guardrails", to: Self.json(key.guardrails))
            .where("id", .equal, key.id).where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
            .run()
        return true
    }

    package func deleteKey(id: String) async throws -> Bool {
        let found = try await key(id: id) != nil
        try await database.update("virtual_keys").set("deleted_at", to: Self.timestamp(Date())).where("id", .equal, id)
            .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null).run()
        return found
    }

    package func insert(_ team: Team) async throws {
        try await database.withSession { session in
            try await Self.refuseTakenName(team.name, in: "teams", noun: "team", on: session)
            try await session.insert(into: "teams")
                .columns(Self.teamColumns)
                .values(
                    SQLBind(team.id), SQLBind(team.name), SQLBind(Self.json(team.models)), SQLBind(Self.json(team.limits)),
                    SQLBind(Self.timestamp(team.createdAt)), SQLBind(Self.json(team.guardrails)))
                .run()
        }
    }

    package func teams() async throws -> [Team] {
        try await database.select().columns(Self.teamColumns).from("teams").where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
            .orderBy("created_at").all().map(Self.team)
    }

    package func team(id: String) async throws -> Team? {
        try await database.select().columns(Self.teamColumns).from("teams").where("id", .equal, id)
            .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null).first().map(Self.team)
    }

    package func update(_ team: Team) async throws -> Bool {
        guard try await self.team(id: team.id) != nil else { return false }
        try await Self.refuseTakenName(team.name, in: "teams", noun: "team", other: team.id, on: database)
        try await database.update("teams")
            .set("name", to: team.name).set("models", to: Self.json(team.models)).set("limits", to: Self.json(team.limits))
            .set("guardrails", to: Self.json(team.guardrails))
            .where("id", .equal, team.id).where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
            .run()
        return true
    }

    /// Deletes the team and, in the same transaction, its keys.
    package func deleteTeam(id: String) async throws -> Bool {
        guard try await team(id: id) != nil else { return false }
        let now = Self.timestamp(Date())
        try await database.withSession { session in
            try await session.raw("BEGIN").run()
            do {
                try await session.update("virtual_keys").set("deleted_at", to: now).where("team_id", .equal, id)
                    .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null).run()
                try await session.update("teams").set("deleted_at", to: now).where("id", .equal, id).run()
                try await session.raw("COMMIT").run()
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
        return true
    }

    // MARK: Rows

    private static let keyColumns = [
        "id", "name", "prefix", "digest", "team_id", "models", "limits", "expires_at", "metadata", "created_at", "guardrails",
    ]
    private static let teamColumns = ["id", "name", "models", "limits", "created_at", "guardrails"]

    private static func key(_ row: any SQLRow) throws -> VirtualKey {
        VirtualKey(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            prefix: try row.decode(column: "prefix", as: String.self),
            digest: SecretDigest(hex: try row.decode(column: "digest", as: String.self)) ?? SecretDigest(of: ""),
            teamID: try row.decode(column: "team_id", as: String?.self),
            models: try decodeJSON(row, "models", as: [String]?.self) ?? nil,
            limits: try decodeJSON(row, "limits", as: UsageLimits.self) ?? UsageLimits(),
            expiresAt: try row.decode(column: "expires_at", as: String?.self).flatMap(date),
            metadata: try decodeJSON(row, "metadata", as: [String: String].self) ?? [:],
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            guardrails: try decodeJSON(row, "guardrails", as: [String].self) ?? [])
    }

    private static func team(_ row: any SQLRow) throws -> Team {
        Team(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            models: try decodeJSON(row, "models", as: [String]?.self) ?? nil,
            limits: try decodeJSON(row, "limits", as: UsageLimits.self) ?? UsageLimits(),
            createdAt: date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            guardrails: try decodeJSON(row, "guardrails", as: [String].self) ?? [])
    }

    private static func decodeJSON<T: Decodable>(_ row: any SQLRow, _ column: String, as type: T.Type) throws -> T? {
        guard let text = try row.decode(column: column, as: String?.self) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    private static func json(_ value: some Encodable) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// UTC, with milliseconds, so text order is time order.
    static func timestamp(_ date: Date) -> String { UTCTimestamp.string(date) }

    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: timestampStyle)) ?? (try? Date(text, strategy: .iso8601))
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Throws 409 when a live row of `table` other than `other` already has `name`: names are unique among the
    /// rows not deleted.
    private static func refuseTakenName(
        _ name: String, in table: String, noun: String, other: String? = nil, on database: any SQLDatabase
    ) async throws {
        var query = database.select().column("id").from(table).where("name", .equal, name)
            .where(SQLIdentifier("deleted_at"), .is, SQLLiteral.null)
        if let other { query = query.where("id", .notEqual, other) }
        if try await query.first() != nil {
            throw GatewayError.conflict("A \(noun) named '\(name)' already exists.")
        }
    }
}
