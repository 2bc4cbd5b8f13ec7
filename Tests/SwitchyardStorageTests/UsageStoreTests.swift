import Foundation
import Logging
import SQLKit
import SwitchyardCore
import Testing

@testable import SwitchyardStorage

@Suite("Usage and spend in storage")
struct UsageStoreTests {
    let logger = Logger(label: "test")
    static let dayOne = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let dayTwo = dayOne.addingTimeInterval(86_400 + 3_600)

    func record(
        _ id: String, key: String?, team: String?, cost: Double, tokens: (Int, Int), at time: Date
    ) -> UsageRecord {
        UsageRecord(
            requestID: id, keyID: key, teamID: team, model: "chat", target: "up/gpt",
            promptTokens: tokens.0, completionTokens: tokens.1,
            cachedTokens: 0, costUSD: cost, latencyMilliseconds: 12, status: 200, time: time)
    }

    /// Runs `body` with the store at `location` open, and closes it however `body` ends.
    func withStore(at location: StorageLocation, _ body: (SQLGatewayStore) async throws -> Void)
        async throws
    {
        try await TestDatabase.withStore(at: location, body)
    }

    /// Runs `body` with the store at `location` open at the schema before migration `version`, and closes it
    /// however `body` ends.
    func withStore(at location: StorageLocation, before version: Int, _ body: (SQLGatewayStore) async throws -> Void) async throws {
        let old = try await SQLGatewayStore.open(location, migrations: SchemaMigration.all.filter { $0.version < version }, logger: logger)
        do { try await body(old) } catch {
            try? await old.close()
            throw error
        }
        try await old.close()
    }

    var records: [UsageRecord] {
        [
            record("r1", key: "k1", team: "t1", cost: 0.25, tokens: (10, 5), at: Self.dayOne),
            record("r2", key: "k1", team: "t1", cost: 0.5, tokens: (20, 10), at: Self.dayTwo),
            record("r3", key: "k2", team: nil, cost: 1.0, tokens: (1, 1), at: Self.dayTwo),
            record("r4", key: nil, team: nil, cost: 2.0, tokens: (7, 7), at: Self.dayTwo),
        ]
    }

    @Test(
        "spend per key and team adds up per period, batch after batch",
        arguments: TestDatabase.available)
    func spendPerPeriod(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            try await withStore(at: location) { store in
                try await store.append(Array(records.prefix(2)))
                try await store.append(Array(records.dropFirst(2)))
                let allTime = try await store.spend(since: Date(timeIntervalSince1970: 0))
                #expect(
                    allTime == [
                        "key:k1": Spend(costUSD: 0.75, tokens: 45), "team:t1": Spend(costUSD: 0.75, tokens: 45),
                        "key:k2": Spend(costUSD: 1, tokens: 2),
                    ])
                // A period that starts during day two counts all of day two and nothing before.
                let dayTwo = try await store.spend(since: Self.dayTwo.addingTimeInterval(600))
                #expect(
                    dayTwo == [
                        "key:k1": Spend(costUSD: 0.5, tokens: 30), "team:t1": Spend(costUSD: 0.5, tokens: 30),
                        "key:k2": Spend(costUSD: 1, tokens: 2),
                    ])
                #expect(try await store.spend(since: Self.dayTwo.addingTimeInterval(86_400)).isEmpty)
                // The per-request records are all kept for the usage report.
                let totals = try await store.totals(UsageQuery())
                #expect(totals.map(\.requests) == [4] && totals.map(\.promptTokens) == [38] && totals.map(\.completionTokens) == [23])
            }
        }
    }

    @Test(
        "usage of one minute written batch after batch adds up in one row, and the daily sums grow with it",
        arguments: TestDatabase.available)
    func minuteSumsAddUp(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            try await withStore(at: location) { store in
                let minute = Self.dayOne.addingTimeInterval(60)
                for batch in 0..<3 {
                    try await store.append([
                        record("a\(batch)", key: "k1", team: "t1", cost: 0.25, tokens: (10, 5), at: minute),
                        record("b\(batch)", key: "k1", team: "t1", cost: 0.5, tokens: (1, 1), at: minute.addingTimeInterval(20)),
                    ])
                }
                let rows = try await store.database.select().column("requests").from("usage_minutes").all(decodingColumn: "requests", as: Int.self)
                #expect(rows == [6])
                #expect(try await store.spend(since: Self.dayOne) == ["key:k1": Spend(costUSD: 2.25, tokens: 51), "team:t1": Spend(costUSD: 2.25, tokens: 51)])
                // Ranges of time count whole minutes: the minute `from` falls in, up to `to`.
                #expect(try await store.totals(UsageQuery(from: minute.addingTimeInterval(30))).map(\.requests) == [6])
                #expect(try await store.totals(UsageQuery(from: minute.addingTimeInterval(60))).map(\.requests) == [0])
                #expect(try await store.totals(UsageQuery(to: minute.addingTimeInterval(1))).map(\.requests) == [6])
                #expect(try await store.totals(UsageQuery(to: minute)).map(\.requests) == [0])
                // An empty name matches nothing (it is how "none" is kept).
                #expect(try await store.totals(UsageQuery(keyID: "")).map(\.requests) == [0])
            }
        }
    }

    @Test(
        "replicas recording usage for the same keys at once all count",
        arguments: TestDatabase.available.filter { $0 == .postgres })
    func concurrentReplicas(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            try await withStore(at: location) { first in
                try await withStore(at: location) { second in
                    let keys = (1...6).map { "k\($0)" }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (replica, store) in [(0, first), (1, second)] {
                            group.addTask {
                                for batch in 0..<15 {
                                    // Each batch names the keys in its own order.
                                    let order = (batch + replica) % 2 == 0 ? keys : keys.reversed()
                                    try await store.append(
                                        order.enumerated().map { index, key in
                                            record("r\(replica)-\(batch)-\(index)", key: key, team: "t1", cost: 0.5, tokens: (1, 1), at: Self.dayOne)
                                        })
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    let spend = try await first.spend(since: Self.dayOne)
                    #expect(spend["key:k1"] == Spend(costUSD: 15, tokens: 60))
                    #expect(spend["team:t1"] == Spend(costUSD: 90, tokens: 360))
                }
            }
        }
    }

    @Test(
        "a database from before the daily sums gets them from its recorded usage",
        arguments: TestDatabase.available)
    func upgradeBackfills(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            // A database at the schema before daily sums, with usage already recorded as that schema's code wrote
            // it: without the columns later migrations added.
            try await withStore(at: location, before: 7) { try await Self.appendAsBeforeDailySums(records, to: $0) }

            try await withStore(at: location) { store in
                let allTime = try await store.spend(since: Date(timeIntervalSince1970: 0))
                #expect(
                    allTime == [
                        "key:k1": Spend(costUSD: 0.75, tokens: 45), "team:t1": Spend(costUSD: 0.75, tokens: 45),
                        "key:k2": Spend(costUSD: 1, tokens: 2),
                    ])
                // The per-request rows became per-minute sums with the same totals.
                var byKey: [String: (requests: Int, cost: Double)] = [:]
                for totals in try await store.totals(UsageQuery(groupBy: .key)) { byKey[totals.group ?? "none"] = (totals.requests, totals.costUSD) }
                #expect(byKey.mapValues(\.requests) == ["none": 1, "k1": 2, "k2": 1])
                #expect(byKey.mapValues(\.cost) == ["none": 2, "k1": 0.75, "k2": 1])
                // And new usage adds to them.
                try await store.append([
                    record("r5", key: "k2", team: nil, cost: 0.5, tokens: (3, 3), at: Self.dayTwo)
                ])
                #expect(
                    try await store.spend(since: Self.dayTwo)["key:k2"] == Spend(costUSD: 1.5, tokens: 8))
            }
        }
    }

    @Test(
        "a database of per-request usage rows becomes per-minute sums, and rows an earlier release still inserts are counted once",
        arguments: TestDatabase.available)
    func upgradeToMinutes(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            try await withStore(at: location, before: 21) { try await Self.appendAsPerRequestRows(records, to: $0) }

            try await withStore(at: location) { store in
                var byKey: [String: Int] = [:]
                for totals in try await store.totals(UsageQuery(groupBy: .key)) { byKey[totals.group ?? "none"] = totals.requests }
                #expect(byKey == ["none": 1, "k1": 2, "k2": 1])
                // A replica of the previous release, still running, inserts a per-request row: it reaches the
                // minutes and the daily sums once.
                try await Self.appendAsPerRequestRows([record("r6", key: "k1", team: "t1", cost: 0.5, tokens: (2, 2), at: Self.dayTwo)], to: store)
                // And this release's writer adds to the same minute's row.
                try await store.append([record("r7", key: "k1", team: "t1", cost: 0.5, tokens: (2, 2), at: Self.dayTwo)])
                #expect(try await store.totals(UsageQuery(keyID: "k1")).map(\.requests) == [4])
                #expect(try await store.spend(since: Self.dayOne)["key:k1"] == Spend(costUSD: 1.75, tokens: 53))
                #expect(try await store.spend(since: Self.dayOne)["team:t1"] == Spend(costUSD: 1.75, tokens: 53))
                let rows = try await store.database.select().column("requests").from("usage_minutes").where("key_id", .equal, "k1")
                    .orderBy("minute").all(decodingColumn: "requests", as: Int.self)
                #expect(rows == [1, 3])
            }
        }
    }

    /// Usage rows as releases before per-minute sums wrote them (schema version 20), one per request;
    /// `withCacheAndPrompt` false leaves out the columns later migrations added (`cached`, `prompt`,
    /// `prompt_version`).
    static func appendAsPerRequestRows(_ records: [UsageRecord], to store: SQLGatewayStore, withCacheAndPrompt: Bool = true) async throws {
        var columns = [
            "request_id", "key_id", "team_id", "model", "target", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd",
            "latency_ms", "status", "time", "day",
        ]
        if withCacheAndPrompt { columns += ["cached", "prompt", "prompt_version"] }
        var values: [ColumnValue] = []
        for record in records {
            let time = SQLGatewayStore.timestamp(record.time)
            values += [
                .text(record.requestID), .text(record.keyID), .text(record.teamID), .text(record.model), .text(record.target),
                .integer(record.promptTokens), .integer(record.completionTokens), .integer(record.cachedTokens), .real(record.costUSD),
                .integer(record.latencyMilliseconds), .integer(record.status), .text(time), .text(String(time.prefix(10))),
            ]
            if withCacheAndPrompt { values += [.integer(record.cached ? 1 : 0), .text(record.prompt), .integer(record.promptVersion)] }
        }
        try await store.bulkInsert(into: "usage_records", columns: columns, values: values)
    }

    /// Usage rows in the columns the schema had before daily sums (version 6): no `cached`, `prompt` or
    /// `prompt_version` yet.
    static func appendAsBeforeDailySums(_ records: [UsageRecord], to store: SQLGatewayStore) async throws {
        try await appendAsPerRequestRows(records, to: store, withCacheAndPrompt: false)
    }
}
