package import Foundation
import NIOCore
import SQLKit
package import SwitchyardCore
package import SwitchyardWire

extension SQLGatewayStore {
    package func insertResponse(_ response: StoredResponse) async throws {
        let now = Self.timestamp(Date())
        try await database.insert(into: "responses")
            .columns(
                "id", "scope", "model", "status", "previous_response_id", "depth", "background", "request", "input_items", "response", "created_at",
                "updated_at", "lease_expires_at"
            )
            .values(
                SQLBind(response.id), SQLBind(response.scope), SQLBind(response.model), SQLBind(response.status), SQLBind(response.previousResponseID),
                SQLBind(response.depth), SQLBind(response.background ? 1 : 0), SQLBind(Self.text(response.request)),
                SQLBind(Self.text(.array(response.inputItems))), SQLBind(Self.text(response.response)), SQLBind(Self.timestamp(response.createdAt)),
                SQLBind(now), SQLBind(response.leaseExpiresAt.map(Self.timestamp))
            )
            .run()
    }

    package func renewResponseLeases(ids: [String], until: Date) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        var renewed: Set<String> = []
        // In slices, so a statement's bound parameters stay well under every database's limit.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let rows = try await database.update("responses")
                .set("lease_expires_at", to: Self.timestamp(until))
                .where("id", .in, Array(ids[start..<min(start + 500, ids.count)]))
                .where("status", .in, Self.unfinished)
                .returning("id").all()
            for row in rows { renewed.insert(try row.decode(column: "id", as: String.self)) }
        }
        return renewed
    }

    package func responsesWithEndedLeases(now: Date, limit: Int) async throws -> [(id: String, response: JSONValue)] {
        try await database.select().column("id").column("response").from("responses")
            .where("status", .in, Self.unfinished)
            .where("lease_expires_at", .lessThan, Self.timestamp(now))
            .limit(limit)
            .all()
            .map { row in
                (try row.decode(column: "id", as: String.self), try JSONValue(decoding: try row.decode(column: "response", as: String.self)))
            }
    }

    package func failResponse(id: String, response: JSONValue, leaseEndedBefore now: Date) async throws -> Bool {
        try await !database.update("responses")
            .set("status", to: "failed").set("response", to: Self.text(response)).set("updated_at", to: Self.timestamp(Date()))
            .set("lease_expires_at", to: SQLLiteral.null)
            .where("id", .equal, id)
            .where("status", .in, Self.unfinished)
            .where("lease_expires_at", .lessThan, Self.timestamp(now))
            .returning("id").all().isEmpty
    }

    /// The statuses of a response still being worked on.
    static let unfinished = ["queued", "in_progress"]

    @discardableResult
    package func updateResponse(id: String, status: String, response: JSONValue, onlyFrom: [String]?) async throws -> Bool {
        var update = database.update("responses")
            .set("status", to: status).set("response", to: Self.text(response)).set("updated_at", to: Self.timestamp(Date()))
            .where("id", .equal, id)
        // A finished response needs no lease, and leaves the lease scan's index.
        if !Self.unfinished.contains(status) { update = update.set("lease_expires_at", to: SQLLiteral.null) }
        if let onlyFrom { update = update.where("status", .in, onlyFrom) }
        do {
            return try await !update.returning("id").all().isEmpty
        } catch {
            throw Self.refusesRows(error) ? StorageRefusedRows(error) : error
        }
    }

    package func response(id: String, scope: String?) async throws -> StoredResponse? {
        var select = database.select().column("*").from("responses").where("id", .equal, id)
        if let scope { select = select.where("scope", .equal, scope) }
        guard let row = try await select.first() else { return nil }
        return StoredResponse(
            id: try row.decode(column: "id", as: String.self), scope: try row.decode(column: "scope", as: String.self),
            model: try row.decode(column: "model", as: String.self), status: try row.decode(column: "status", as: String.self),
            previousResponseID: try row.decode(column: "previous_response_id", as: String?.self), depth: try row.decode(column: "depth", as: Int.self),
            background: try row.decode(column: "background", as: Int.self) != 0,
            request: try JSONValue(decoding: try row.decode(column: "request", as: String.self)),
            inputItems: try JSONValue(decoding: try row.decode(column: "input_items", as: String.self)).array ?? [],
            response: try JSONValue(decoding: try row.decode(column: "response", as: String.self)),
            createdAt: Self.date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            leaseExpiresAt: try row.decode(column: "lease_expires_at", as: String?.self).flatMap(Self.date))
    }

    package func deleteResponse(id: String, scope: String?) async throws -> Bool {
        var delete = database.delete(from: "responses").where("id", .equal, id)
        if let scope { delete = delete.where("scope", .equal, scope) }
        return try await !delete.returning("id").all().isEmpty
    }

    @discardableResult
    package func pruneResponses(before cutoff: Date) async throws -> Int {
        try await pruneInChunks(table: "responses", key: "id", timeColumn: "created_at", before: Self.timestamp(cutoff), chunk: 5000)
    }

    package func claimIdempotencyKey(
        scope: String, key: String, fingerprint: String, now: Date, expiredBefore: Date, pendingExpiredBefore: Date
    ) async throws -> IdempotencyRecord? {
        // An expired claim is removed first, so the insert below can take the key.
        try await database.delete(from: "idempotency_keys").where("scope", .equal, scope).where("key", .equal, key)
            .where { group in
                group.where("created_at", .lessThan, Self.timestamp(expiredBefore))
                    .orWhere { pending in
                        pending.where("status", .is, SQLLiteral.null).where("created_at", .lessThan, Self.timestamp(pendingExpiredBefore))
                    }
            }
            .run()
        // The holder may give the key up between a refused insert and the read: then the insert is tried again.
        for _ in 0..<3 {
            let inserted = try await database.insert(into: "idempotency_keys")
                .columns("scope", "key", "fingerprint", "created_at")
                .values(SQLBind(scope), SQLBind(key), SQLBind(fingerprint), SQLBind(Self.timestamp(now)))
                .ignoringConflicts(with: ["scope", "key"])
                .returning("key").all()
            if !inserted.isEmpty { return nil }
            if let row = try await database.select().column("*").from("idempotency_keys").where("scope", .equal, scope).where("key", .equal, key)
                .first()
            {
                return IdempotencyRecord(
                    fingerprint: try row.decode(column: "fingerprint", as: String.self), status: try row.decode(column: "status", as: Int?.self),
                    contentType: try row.decode(column: "content_type", as: String?.self), body: try row.decode(column: "body", as: String?.self))
            }
        }
        throw GatewayError(status: 409, kind: .invalidRequest, code: "idempotency_key_in_use", message: "This Idempotency-Key is contended; retry.")
    }

    @discardableResult
    package func pruneIdempotencyKeys(before cutoff: Date) async throws -> Int {
        try await database.delete(from: "idempotency_keys").where("created_at", .lessThan, Self.timestamp(cutoff)).returning("key").all().count
    }

    package func completeIdempotencyKey(scope: String, key: String, status: Int, contentType: String, body: String) async throws {
        try await database.update("idempotency_keys").set("status", to: status).set("content_type", to: contentType).set("body", to: body)
            .where("scope", .equal, scope).where("key", .equal, key).run()
    }

    package func releaseIdempotencyKey(scope: String, key: String) async throws {
        try await database.delete(from: "idempotency_keys").where("scope", .equal, scope).where("key", .equal, key).run()
    }

    static func text(_ value: JSONValue) -> String { String(buffer: value.encoded) }
}
