import Foundation
import SQLKit
package import SwitchyardCore

extension SQLGatewayStore {
    package var isShared: Bool {
        if case .postgres = location { return true }
        return false
    }

    package func publish(replica: String, totals: [String: LimitTotals]) async throws {
        guard !totals.isEmpty else { return }
        let now = Self.timestamp(Date())
        var insert = database.insert(into: "rate_counters").columns("replica_id", "scope", "requests", "tokens", "updated_at")
        for (scope, total) in totals {
            insert = insert.values(SQLBind(replica), SQLBind(scope), SQLBind(total.requests), SQLBind(total.tokens), SQLBind(now))
        }
        try await insert.onConflict(with: ["replica_id", "scope"]) {
            $0.set(excludedValueOf: "requests").set(excludedValueOf: "tokens").set(excludedValueOf: "updated_at")
        }.run()
        // Replicas gone for an hour are forgotten.
        try await database.delete(from: "rate_counters").where("updated_at", .lessThan, Self.timestamp(Date().addingTimeInterval(-3600))).run()
    }

    package func totals(excluding replica: String) async throws -> [String: [String: LimitTotals]] {
        let rows = try await database.select().columns("replica_id", "scope", "requests", "tokens").from("rate_counters")
            .where("replica_id", .notEqual, replica).all()
        var totals: [String: [String: LimitTotals]] = [:]
        for row in rows {
            totals[try row.decode(column: "replica_id", as: String.self), default: [:]][try row.decode(column: "scope", as: String.self)] =
                LimitTotals(requests: try row.decode(column: "requests", as: Int.self), tokens: try row.decode(column: "tokens", as: Int.self))
        }
        return totals
    }
}
