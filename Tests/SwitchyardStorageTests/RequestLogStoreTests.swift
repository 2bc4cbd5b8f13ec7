import Foundation
import Logging
import SwitchyardCore
import Testing

@testable import SwitchyardStorage

@Suite("Request log on SQLite and PostgreSQL")
struct RequestLogStoreTests {
    let logger = Logger(label: "test")

    func entry(_ index: Int, at time: Date, key: String? = "key_a", status: Int = 200) -> RequestLogEntry {
        RequestLogEntry(
            id: RequestLogEntry.makeID(at: time), requestID: "req-\(index)", time: time, method: "POST", path: "/v1/chat/completions",
            status: status, keyID: key, teamID: nil, model: "chat", target: "up/model", attempts: 1, stream: index % 2 == 0, promptTokens: index,
            completionTokens: 2, cachedTokens: 0, costUSD: 0.5, latencyMilliseconds: 12.25, timeToFirstTokenMilliseconds: index % 2 == 0 ? 3.5 : nil,
            overheadMilliseconds: 0.125, error: status == 200 ? nil : "failed", requestBody: "{\"a\":\(index)}", responseBody: nil)
    }

    @Test("rows round-trip, filter, page newest first by cursor, and prune by age", arguments: TestDatabase.available)
    func roundTrip(_ backend: TestDatabase) async throws {
        try await backend.withLocation { location in
            let store = try await SQLGatewayStore.open(location, logger: logger)
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            // Two rows in the same millisecond still get distinct, ordered ids.
            let entries = (0..<6).map { entry($0, at: start.addingTimeInterval(Double($0 / 2) * 60), key: $0 == 5 ? "key_b" : "key_a", status: $0 == 4 ? 502 : 200) }
            try await store.appendLogs(entries)
            try await store.appendLogs([entries[0]])  // a retried batch does not duplicate rows

            let all = try await store.logs(RequestLogQuery(limit: 100))
            #expect(all.count == 6)
            #expect(all.map(\.id) == entries.map(\.id).sorted(by: >))
            let first = try #require(all.first { $0.requestID == "req-0" })
            #expect(first.id == entries[0].id)
            #expect(first.stream == true)
            #expect(first.timeToFirstTokenMilliseconds == 3.5)
            #expect(first.latencyMilliseconds == 12.25)
            #expect(first.requestBody == "{\"a\":0}")
            #expect(abs(first.time.timeIntervalSince(start)) < 0.001)

            #expect(try await store.logs(RequestLogQuery(keyID: "key_b")).map(\.requestID) == ["req-5"])
            #expect(try await store.logs(RequestLogQuery(status: 502)).map(\.requestID) == ["req-4"])
            #expect(try await store.logs(RequestLogQuery(requestID: "req-3")).count == 1)
            let window = try await store.logs(RequestLogQuery(from: start.addingTimeInterval(60), to: start.addingTimeInterval(120)))
            #expect(Set(window.map(\.requestID)) == ["req-2", "req-3"])
            // Ranges are ranges of ids, which sort by time: a bound past the ids' sixteen digits (the year 2286) is
            // past every row.
            let far = Date(timeIntervalSince1970: 10_413_792_000)  // 2300-01-01
            #expect(try await store.logs(RequestLogQuery(to: far)).count == 6)
            #expect(try await store.logs(RequestLogQuery(from: far)).isEmpty)

            var pages: [[String]] = []
            var cursor: String?
            repeat {
                let page = try await store.logs(RequestLogQuery(keyID: "key_a", cursor: cursor, limit: 2))
                pages.append(page.map(\.requestID))
                cursor = page.count == 2 ? page.last?.id : nil
            } while cursor != nil
            #expect(pages.flatMap { $0 }.count == 5)
            #expect(Set(pages.flatMap { $0 }).count == 5)

            // In chunks of one row, to walk the chunked delete.
            let deleted = try await store.pruneLogs(before: start.addingTimeInterval(60), chunk: 1)
            #expect(deleted == 2)
            #expect(try await store.logs(RequestLogQuery()).count == 4)
            try await store.close()
        }
    }
}
