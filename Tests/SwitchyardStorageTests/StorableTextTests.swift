import Foundation
import Logging
import SQLKit
import SwitchyardCore
import Testing

@testable import SwitchyardStorage

@Suite("Client strings are stored safely")
struct StorableTextTests {
    @Test(
        "a NUL or an endless string in a client's model costs no row of its batch",
        arguments: TestDatabase.available)
    func hostileStrings(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let records = ["chat", "ch\u{0}at", String(repeating: "é", count: 5000), "fine"].enumerated().map { index, model in
                UsageRecord(
                    requestID: "r\(index)", keyID: "k1", teamID: nil, model: model, target: nil, promptTokens: 1, completionTokens: 1,
                    cachedTokens: 0, costUSD: 0.5, latencyMilliseconds: 1, status: 200, time: Date())
            }
            try await store.append(records)
            let spend = try await store.spend(since: Date(timeIntervalSince1970: 0))
            #expect(spend["key:k1"] == Spend(costUSD: 2, tokens: 8), "every row of the batch is stored")
            var query = UsageQuery()
            query.groupBy = .model
            let models = try await store.totals(query).compactMap(\.group)
            #expect(models.contains("chat"))
            #expect(!models.contains { $0.contains("\u{0}") })
            #expect(models.allSatisfy { $0.utf8.count <= ColumnValue.shortTextBytes })
            let entry = RequestLogEntry(
                id: RequestLogEntry.makeID(at: Date()), requestID: "r\u{0}", time: Date(), method: "POST", path: "/v1/chat/completions",
                status: 200, keyID: nil, teamID: nil, model: "m\u{0}", target: nil, attempts: 1, stream: false, promptTokens: 0,
                completionTokens: 0, cachedTokens: 0, costUSD: .infinity, latencyMilliseconds: 1, timeToFirstTokenMilliseconds: nil,
                overheadMilliseconds: nil, error: nil, requestBody: "{\"a\":\"\u{0}\"}", responseBody: nil)
            try await store.appendLogs([entry])
            #expect(try await store.logs(RequestLogQuery()).first?.model == "m")
        }
    }

    @Test(
        "rows the database refuses are told apart from a database that cannot take rows",
        arguments: TestDatabase.available)
    func refusedRows(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.database.raw("CREATE TABLE refusal_probe (value INTEGER NOT NULL)").run()
            await #expect(throws: StorageRefusedRows.self) {
                try await store.bulkInsert(into: "refusal_probe", columns: ["value"], values: [.integer(1), .integer(nil)])
            }
            do {
                try await store.bulkInsert(into: "no_such_table", columns: ["value"], values: [.integer(1)])
                Issue.record("an insert into a missing table succeeded")
            } catch {
                #expect(!(error is StorageRefusedRows), "a failure that is not about the rows is not a refusal: \(error)")
            }
        }
    }

    @Test("text is cut at a character boundary, and left alone when it is already safe")
    func storable() {
        #expect(ColumnValue.storable("plain", limit: 10) == "plain")
        #expect(ColumnValue.storable("a\u{0}b", limit: 10) == "ab")
        #expect(ColumnValue.storable("ééé", limit: 5) == "éé")
        #expect(ColumnValue.storable("ééé", limit: 3) == "é")
    }
}

extension TestDatabase {
    /// Runs `body` with a store open on a new, empty database, and closes it however `body` ends.
    func withStore(_ body: (SQLGatewayStore) async throws -> Void) async throws {
        try await withLocation { location in try await Self.withStore(at: location, body) }
    }

    /// Runs `body` with the store at `location` open, and closes it however `body` ends.
    static func withStore(at location: StorageLocation, _ body: (SQLGatewayStore) async throws -> Void) async throws {
        let store = try await SQLGatewayStore.open(location, logger: Logger(label: "test"))
        do {
            try await body(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}
