import Foundation
import Logging
import Synchronization
import SwitchyardCore
import Testing

@testable import SwitchyardGateway

/// Usage storage in memory: what was appended, added up.
final class MemoryUsageStore: UsageStore {
    let records = Mutex<[UsageRecord]>([])

    func append(_ records: [UsageRecord]) async throws { self.records.withLock { $0 += records } }
    func totals(_ query: UsageQuery) async throws -> [UsageTotals] { [] }
    func spend(since start: Date) async throws -> [String: Spend] {
        records.withLock { records in
            var spend: [String: Spend] = [:]
            for record in records where record.time >= start {
                for scope in [record.keyID.map { "key:" + $0 }, record.teamID.map { "team:" + $0 }].compactMap({ $0 }) {
                    spend[scope, default: Spend()].costUSD += record.costUSD
                    spend[scope, default: Spend()].tokens += record.promptTokens + record.completionTokens
                }
            }
            return spend
        }
    }
}

/// Usage storage in memory whose reading of spend lets `afterRead` run (once) before it is returned: a write that
/// lands while a reload reads.
final class InterleavingUsageStore: UsageStore {
    let base = MemoryUsageStore()
    let afterRead = Mutex<(@Sendable () async throws -> Void)?>(nil)

    func append(_ records: [UsageRecord]) async throws { try await base.append(records) }
    func totals(_ query: UsageQuery) async throws -> [UsageTotals] { [] }
    func spend(since start: Date) async throws -> [String: Spend] {
        let read = try await base.spend(since: start)
        let hook = afterRead.withLock { hook in
            defer { hook = nil }
            return hook
        }
        try await hook?()
        return read
    }
}

@Suite("Spend ledger")
struct SpendLedgerTests {
    @Test("a charge made and stored while a reload reads storage still counts once the reload ends")
    func storedDuringReload() async throws {
        let store = InterleavingUsageStore()
        let ledger = SpendLedger(store: store, logger: Logger(label: "test"))
        let grant = LimitLedgerTests.grant(UsageLimits(maxBudgetUSD: 1))
        let record = Self.record(key: "k1", cost: 0.75)
        // After the reload read the lifetime spend (nothing), and before it ends: a request is charged, and its
        // usage reaches storage.
        store.afterRead.withLock {
            $0 = {
                ledger.add(0.75, tokens: 10, grant: grant)
                try await store.append([record])
                ledger.stored([record])
            }
        }
        try await ledger.refresh()
        #expect(ledger.spent("key:k1", limits: grant.key.limits) == 0.75)
        // The next reload reads it from storage, once.
        try await ledger.refresh()
        #expect(ledger.spent("key:k1", limits: grant.key.limits) == 0.75)
    }

    static func record(key: String, cost: Double) -> UsageRecord {
        UsageRecord(
            requestID: "r", keyID: key, teamID: nil, model: "chat", target: nil, promptTokens: 5, completionTokens: 5, cachedTokens: 0, costUSD: cost,
            latencyMilliseconds: 1, status: 200, time: Date())
    }

    @Test("a charge not yet in storage survives a reload, and is counted once when it lands")
    func pendingAcrossReloads() async throws {
        let store = MemoryUsageStore()
        let ledger = SpendLedger(store: store, logger: Logger(label: "test"))
        let grant = LimitLedgerTests.grant(UsageLimits(maxBudgetUSD: 1))
        ledger.add(0.75, tokens: 10, grant: grant)
        try await ledger.refresh()
        #expect(ledger.spent("key:k1", limits: grant.key.limits) == 0.75, "the reload kept the charge still on its way to storage")
        let record = Self.record(key: "k1", cost: 0.75)
        try await store.append([record])
        ledger.stored([record])
        try await ledger.refresh()
        #expect(ledger.spent("key:k1", limits: grant.key.limits) == 0.75, "once stored, it is counted from storage alone")
        ledger.add(0.5, tokens: 10, grant: grant)
        #expect(throws: GatewayError.self) { try ledger.checkBudget(grant) }
    }

    @Test("a daily budget starts over on the next UTC day, while the weekly and lifetime spend keep the charge")
    func dailyRollover() async throws {
        let ledger = SpendLedger(store: MemoryUsageStore(), logger: Logger(label: "test"))
        let daily = LimitLedgerTests.grant(UsageLimits(maxBudgetUSD: 1, budgetPeriod: .daily))
        // Tuesday 10 June 2025 at 23:00 UTC, then two hours later: another day, the same ISO week and month.
        let evening = Date(timeIntervalSince1970: 1_749_513_600 + 23 * 3600)
        let nextMorning = evening.addingTimeInterval(2 * 3600)
        try await ledger.refresh(now: evening)
        ledger.add(1.25, tokens: 10, grant: daily, at: evening)
        #expect(throws: GatewayError.self) { try ledger.checkBudget(daily) }
        try await ledger.refresh(now: nextMorning)
        #expect(ledger.spent("key:k1", limits: daily.key.limits) == 0)
        try ledger.checkBudget(daily)
        #expect(ledger.spent("key:k1", limits: UsageLimits(budgetPeriod: .weekly)) == 1.25)
        #expect(ledger.spent("key:k1", limits: UsageLimits()) == 1.25)
    }

    @Test("the spend of deleted keys is forgotten, on reloads too")
    func forget() async throws {
        let store = MemoryUsageStore()
        try await store.append([Self.record(key: "gone", cost: 2), Self.record(key: "kept", cost: 1)])
        let ledger = SpendLedger(store: store, logger: Logger(label: "test"))
        ledger.forget(scopes: ["key:gone"], active: ["key:kept"])
        try await ledger.refresh()
        #expect(ledger.spent("key:gone", limits: UsageLimits()) == 0)
        #expect(ledger.spent("key:kept", limits: UsageLimits()) == 1)
    }
}
