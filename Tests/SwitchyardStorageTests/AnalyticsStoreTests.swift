import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStorage

@Suite("Request statistics and UI sessions on SQLite and PostgreSQL")
struct AnalyticsStoreTests {
    /// 2026-09-21T10:00:00Z.
    static let base = Date(timeIntervalSince1970: 1_789_984_800)
    /// 2026-09-21T00:00:00Z.
    static let dayStart = base.addingTimeInterval(-10 * 3600)

    /// The statistics of `requests` requests `minute` minutes after `base` (17 seconds into the minute).
    static func stats(
        _ minute: Int, model: String = "chat", target: String = "openai/gpt-4o", key: String = "k1", team: String = "", requests: Int = 1,
        latencyBucket: Int = 3
    ) -> RequestStats {
        var stats = RequestStats(time: base.addingTimeInterval(Double(minute) * 60 + 17), model: model, target: target, keyID: key, teamID: team)
        stats.requests = requests
        stats.errors = requests / 2
        stats.promptTokens = 10 * requests
        stats.completionTokens = 5 * requests
        stats.cachedTokens = 2 * requests
        stats.costUSD = 0.25 * Double(requests)
        stats.cacheLookups = requests
        stats.cacheHits = requests / 3
        stats.latency[latencyBucket] = requests
        stats.timeToFirstToken[1] = requests
        stats.timeToFirstToken[LatencyHistogram.bucketCount - 1] = 1
        return stats
    }

    /// `records` added up into one row starting at `time`, of the group given.
    static func sum(_ records: [RequestStats], time: Date, model: String = "", target: String = "", key: String = "", team: String = "") -> RequestStats {
        var total = RequestStats(time: time, model: model, target: target, keyID: key, teamID: team)
        for record in records { total.add(record) }
        return total
    }

    @Test("the same minute added twice, in one batch and in two, is one row of the sums", arguments: TestDatabase.available)
    func sameMinuteSums(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let records = [Self.stats(0, requests: 1), Self.stats(0, requests: 2, latencyBucket: 5), Self.stats(0, requests: 3)]
            try await store.addRequestStats(Array(records.prefix(2)))
            try await store.addRequestStats([records[2]])
            try await store.addRequestStats([])
            let rows = try await store.requestStats(AnalyticsQuery(from: Self.base, to: Self.base.addingTimeInterval(3600), bucket: .minute))
            #expect(rows == [Self.sum(records, time: Self.base)])
            #expect(rows.first?.requests == 6 && rows.first?.costUSD == 1.5)
            #expect(rows.first?.latency[3] == 4 && rows.first?.latency[5] == 2)
            #expect(rows.first?.timeToFirstToken[LatencyHistogram.bucketCount - 1] == 3)
        }
    }

    @Test("hour and day buckets add their minutes up; no bucket adds the whole range into one row", arguments: TestDatabase.available)
    func buckets(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let minutes = [0, 1, 59, 60, 61, 24 * 60]
            let records = minutes.map { Self.stats($0, requests: $0 + 1) }
            try await store.addRequestStats(records)
            let from = Self.dayStart
            let to = Self.dayStart.addingTimeInterval(2 * 86_400)

            let byMinute = try await store.requestStats(AnalyticsQuery(from: from, to: to, bucket: .minute))
            #expect(byMinute.map(\.time) == minutes.map { Self.base.addingTimeInterval(Double($0) * 60) })
            #expect(byMinute.map(\.requests) == minutes.map { $0 + 1 })

            let byHour = try await store.requestStats(AnalyticsQuery(from: from, to: to, bucket: .hour))
            #expect(
                byHour == [
                    Self.sum(Array(records[0..<3]), time: Self.base),
                    Self.sum(Array(records[3..<5]), time: Self.base.addingTimeInterval(3600)),
                    Self.sum([records[5]], time: Self.base.addingTimeInterval(86_400)),
                ])

            let byDay = try await store.requestStats(AnalyticsQuery(from: from, to: to, bucket: .day))
            #expect(byDay == [Self.sum(Array(records[0..<5]), time: Self.dayStart), Self.sum([records[5]], time: Self.dayStart.addingTimeInterval(86_400))])

            let whole = try await store.requestStats(AnalyticsQuery(from: from, to: to))
            #expect(whole == [Self.sum(records, time: from)])

            // Nothing in range: no row per bucket, and one row of zeros for the whole range.
            let later = to.addingTimeInterval(86_400)
            #expect(try await store.requestStats(AnalyticsQuery(from: to, to: later, bucket: .hour)).isEmpty)
            #expect(try await store.requestStats(AnalyticsQuery(from: to, to: later)) == [RequestStats(time: to)])
            #expect(try await store.requestStats(AnalyticsQuery(from: to, to: later, groupBy: .key)).isEmpty)
        }
    }

    @Test("grouped by key, each key is a row (per bucket) with only its key set", arguments: TestDatabase.available)
    func groupByKey(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let records = [
                Self.stats(0, model: "chat", key: "k2", team: "t1", requests: 1),
                Self.stats(1, model: "fast", key: "k1", requests: 2),
                Self.stats(2, model: "chat", key: "k1", team: "t2", requests: 4),
                Self.stats(65, model: "chat", key: "k2", team: "t1", requests: 8),
                Self.stats(66, model: "chat", key: "", requests: 16),
            ]
            try await store.addRequestStats(records)
            let from = Self.base
            let to = Self.base.addingTimeInterval(2 * 3600)

            let byKey = try await store.requestStats(AnalyticsQuery(from: from, to: to, groupBy: .key))
            #expect(
                byKey == [
                    Self.sum([records[4]], time: from, key: ""),
                    Self.sum([records[1], records[2]], time: from, key: "k1"),
                    Self.sum([records[0], records[3]], time: from, key: "k2"),
                ])

            let byHourAndKey = try await store.requestStats(AnalyticsQuery(from: from, to: to, bucket: .hour, groupBy: .key))
            let nextHour = Self.base.addingTimeInterval(3600)
            #expect(
                byHourAndKey == [
                    Self.sum([records[1], records[2]], time: from, key: "k1"),
                    Self.sum([records[0]], time: from, key: "k2"),
                    Self.sum([records[4]], time: nextHour, key: ""),
                    Self.sum([records[3]], time: nextHour, key: "k2"),
                ])

            let byModel = try await store.requestStats(AnalyticsQuery(from: from, to: to, groupBy: .model))
            #expect(byModel.map(\.model) == ["chat", "fast"])
            #expect(byModel.map(\.requests) == [1 + 4 + 8 + 16, 2])
            #expect(byModel.allSatisfy { $0.keyID.isEmpty && $0.teamID.isEmpty && $0.target.isEmpty })

            let byTeam = try await store.requestStats(AnalyticsQuery(from: from, to: to, groupBy: .team))
            #expect(byTeam.map(\.teamID) == ["", "t1", "t2"])
            #expect(byTeam.map(\.requests) == [2 + 16, 1 + 8, 4])

            let byTarget = try await store.requestStats(AnalyticsQuery(from: from, to: to, groupBy: .target))
            #expect(byTarget.map(\.target) == ["openai/gpt-4o"])
            #expect(byTarget.map(\.requests) == [31])
        }
    }

    @Test("filters on model, target, key and team", arguments: TestDatabase.available)
    func filters(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let records = [
                Self.stats(0, model: "chat", target: "openai/a", key: "k1", team: "t1", requests: 1),
                Self.stats(0, model: "chat", target: "anthropic/b", key: "k2", team: "t1", requests: 2),
                Self.stats(1, model: "fast", target: "openai/a", key: "k1", team: "", requests: 4),
            ]
            try await store.addRequestStats(records)
            let from = Self.base
            let to = Self.base.addingTimeInterval(3600)
            func requests(_ query: AnalyticsQuery) async throws -> [Int] { try await store.requestStats(query).map(\.requests) }

            #expect(try await requests(AnalyticsQuery(from: from, to: to, model: "chat")) == [3])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, target: "openai/a")) == [5])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, keyID: "k2")) == [2])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, teamID: "t1")) == [3])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, teamID: "")) == [4])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, model: "chat", keyID: "k1")) == [1])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, bucket: .minute, keyID: "k1")) == [1, 4])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, groupBy: .model, teamID: "t1")) == [3])
            #expect(try await requests(AnalyticsQuery(from: from, to: to, model: "none")) == [0])
        }
    }

    @Test("minutes at `from` are in and minutes at `to` are out", arguments: TestDatabase.available)
    func toIsExclusive(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.addRequestStats([Self.stats(0, requests: 1), Self.stats(1, requests: 2), Self.stats(2, requests: 4)])
            let minute = { (index: Int) in Self.base.addingTimeInterval(Double(index) * 60) }
            func requests(_ from: Date, _ to: Date) async throws -> [Int] {
                try await store.requestStats(AnalyticsQuery(from: from, to: to, bucket: .minute)).map(\.requests)
            }
            #expect(try await requests(minute(0), minute(1)) == [1])
            #expect(try await requests(minute(1), minute(2)) == [2])
            #expect(try await requests(minute(1), minute(3)) == [2, 4])
            #expect(try await requests(minute(0), minute(0)).isEmpty)
            #expect(try await requests(minute(3), minute(60)).isEmpty)
        }
    }

    @Test("pruning deletes the minutes before the date only", arguments: TestDatabase.available)
    func prune(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.addRequestStats([Self.stats(0, requests: 1), Self.stats(1, requests: 2), Self.stats(90, requests: 4)])
            try await store.pruneRequestStats(before: Self.base.addingTimeInterval(60))
            let rows = try await store.requestStats(AnalyticsQuery(from: Self.dayStart, to: Self.base.addingTimeInterval(86_400), bucket: .minute))
            #expect(rows.map(\.requests) == [2, 4])
            #expect(rows.map(\.time) == [Self.base.addingTimeInterval(60), Self.base.addingTimeInterval(90 * 60)])
        }
    }

    @Test("a batch larger than one statement takes every row", arguments: TestDatabase.available)
    func largeBatch(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let records = (0..<250).map { Self.stats($0 % 125, key: "k\($0 / 125)", requests: 1) }
            try await store.addRequestStats(records)
            let to = Self.base.addingTimeInterval(86_400)
            #expect(try await store.requestStats(AnalyticsQuery(from: Self.base, to: to)).map(\.requests) == [250])
            let byKey = try await store.requestStats(AnalyticsQuery(from: Self.base, to: to, groupBy: .key))
            #expect(byKey.map(\.keyID) == ["k0", "k1"])
            #expect(byKey.map(\.requests) == [125, 125])
            #expect(try await store.requestStats(AnalyticsQuery(from: Self.base, to: to, bucket: .minute)).count == 125)
        }
    }

    @Test("UI sessions round-trip, are deleted, and pruning removes only the expired", arguments: TestDatabase.available)
    func sessions(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let live = UISession(digest: "digest-live", csrfToken: "csrf-1", keyDigest: "key", createdAt: Self.base, expiresAt: Self.base.addingTimeInterval(3600))
            let expired = UISession(
                digest: "digest-expired", csrfToken: "csrf-2", keyDigest: "key", createdAt: Self.base.addingTimeInterval(-7200), expiresAt: Self.base.addingTimeInterval(-60))
            let doomed = UISession(digest: "digest-doomed", csrfToken: "csrf-3", keyDigest: "key", createdAt: Self.base, expiresAt: Self.base.addingTimeInterval(60))
            #expect(try await store.session(digest: live.digest) == nil)
            for session in [live, expired, doomed] { try await store.insert(session) }
            #expect(try await store.session(digest: live.digest) == live)
            #expect(try await store.session(digest: expired.digest) == expired)

            try await store.deleteSession(digest: doomed.digest)
            #expect(try await store.session(digest: doomed.digest) == nil)
            try await store.deleteSession(digest: "missing")

            try await store.pruneSessions(before: Self.base)
            #expect(try await store.session(digest: expired.digest) == nil)
            #expect(try await store.session(digest: live.digest) == live)
        }
    }
}
