package import Foundation
package import Logging
import ServiceLifecycle
import Synchronization
package import SwitchyardCore

/// What each key and team spent in its current budget period: loaded from storage, kept current by this replica's
/// own requests, and reloaded every few seconds so spend on other replicas counts too.
package final class SpendLedger: Service {
    private struct Period: Sendable {
        var start: Date
        var spend: [String: Spend]
    }

    private let store: any UsageStore
    private let logger: Logger
    private let refreshInterval: Duration
    private let alerts: (any AlertSink)?
    /// Per budget period (nil: since ever), the spend per `key:<id>` / `team:<id>`.
    private let periods = Mutex<[BudgetPeriod?: Period]>([:])
    /// Every budget period kept: nil (all time), then each ``BudgetPeriod``.
    private static let trackedPeriods: [BudgetPeriod?] = [nil] + BudgetPeriod.allCases.map(Optional.some)
    /// Soft budgets already reported, as `scope@period start`, so each fires once per period.
    private let alerted = Mutex<Set<String>>([])
    /// Charges added here and not yet in storage, per UTC day and scope: a reload from storage keeps them (each in
    /// the periods its day falls in), so spend never goes back down while its usage rows wait in the writer's
    /// queue, or were refused by storage.
    private let pending = Mutex<[Date: [String: Spend]]>([:])
    /// Charges that reached storage while a reload was reading it, per UTC day and scope, and how many reloads are
    /// reading: a reload may have read storage before they arrived, and no longer finds them pending, so it counts
    /// them itself (at worst twice, until the next reload).
    private let landedDuringReload = Mutex<(readers: Int, charges: [Date: [String: Spend]])>((0, [:]))
    /// The scopes of deleted keys and teams: their spend is forgotten, on reloads too.
    private let removedScopes = Mutex<Set<String>>([])

    /// Where refusals are counted; nil counts none.
    private let metrics: GatewayMetrics?

    package init(
        store: any UsageStore, refreshInterval: Duration = .seconds(5), alerts: (any AlertSink)? = nil, metrics: GatewayMetrics? = nil,
        logger: Logger
    ) {
        self.metrics = metrics
        self.store = store
        self.refreshInterval = refreshInterval
        self.alerts = alerts
        self.logger = logger
    }

    /// Reloads every period's spend from storage, plus the charges still on their way there.
    package func refresh(now: Date = Date()) async throws {
        // Days before the current week and month count only in lifetime budgets: they are folded into one entry at
        // the epoch.
        let oldest = min(Self.start(of: .monthly, containing: now), Self.start(of: .weekly, containing: now))
        let before = self.pending.withLock { pending in
            pending = Self.folded(pending, before: oldest)
            return pending
        }
        landedDuringReload.withLock { $0.readers += 1 }
        var loaded: [BudgetPeriod?: Period] = [:]
        do {
            for period in Self.trackedPeriods {
                let start = Self.start(of: period, containing: now)
                loaded[period] = Period(start: start, spend: try await store.spend(since: start))
            }
        } catch {
            landedDuringReload.withLock { Self.endReading(&$0) }
            throw error
        }
        let removed = removedScopes.withLock { $0 }
        // Pending charges as they were before storage was read and after (with those stored meanwhile), the larger
        // of each: a batch stored while storage was read, or a charge added meanwhile, counts at least once (at
        // worst twice, until the next reload). Taken and put in force under the locks `stored` and `add` take, in
        // the same order, so no charge falls between the readings and the new figures.
        landedDuringReload.withLock { state in
            let landed = Self.folded(state.charges, before: oldest)
            Self.endReading(&state)
            self.pending.withLock { current in
                let pending = Self.larger(before, Self.sum(current, landed))
                for period in Self.trackedPeriods {
                    guard var totals = loaded[period] else { continue }
                    for (day, charges) in pending where day >= totals.start {
                        for (scope, charge) in charges { totals.spend[scope, default: Spend()].add(charge) }
                    }
                    if !removed.isEmpty { totals.spend = totals.spend.filter { !removed.contains($0.key) } }
                    loaded[period] = totals
                }
                periods.withLock { $0 = loaded }
            }
        }
    }

    /// `charges` with the days before `oldest` (those that count only in lifetime budgets) folded into one entry
    /// at the epoch.
    private static func folded(_ charges: [Date: [String: Spend]], before oldest: Date) -> [Date: [String: Spend]] {
        var folded = charges
        for (day, dayCharges) in charges where day < oldest && day > epoch {
            folded[day] = nil
            folded[epoch, default: [:]].merge(dayCharges) { $0.adding($1) }
        }
        return folded
    }

    /// One reload stopped reading storage: the charges stored meanwhile are cleared once no reload is reading.
    private static func endReading(_ state: inout (readers: Int, charges: [Date: [String: Spend]])) {
        state.readers = max(0, state.readers - 1)
        if state.readers == 0 { state.charges = [:] }
    }

    /// Usage records now in storage: their charges stop counting as pending.
    package func stored(_ records: [UsageRecord]) {
        let charges = Self.charges(of: records)
        // Under the reloads' lock first, then the pending charges': a reload takes both at once, so it sees a
        // charge either still pending or among those stored while it read.
        landedDuringReload.withLock { state in
            if state.readers > 0 {
                for charge in charges { state.charges[charge.day, default: [:]][charge.scope, default: Spend()].add(charge.spend) }
            }
            removePending(charges)
        }
    }

    /// What `records` charge, per UTC day and scope (`key:<id>`, `team:<id>`): one entry per record and scope.
    private static func charges(of records: [UsageRecord]) -> [(day: Date, scope: String, spend: Spend)] {
        var charges: [(day: Date, scope: String, spend: Spend)] = []
        for record in records where record.costUSD > 0 || record.promptTokens + record.completionTokens > 0 {
            let spend = Spend(costUSD: record.costUSD, tokens: record.promptTokens + record.completionTokens)
            let day = utcDay(record.time)
            if let keyID = record.keyID { charges.append((day, "key:" + keyID, spend)) }
            if let teamID = record.teamID { charges.append((day, "team:" + teamID, spend)) }
        }
        return charges
    }

    /// Takes `charges` off the pending ones.
    private func removePending(_ charges: [(day: Date, scope: String, spend: Spend)]) {
        pending.withLock { pending in
            for charge in charges {
                // A day folded into the epoch entry is found there.
                let day = pending[charge.day] == nil ? Self.epoch : charge.day
                guard var remaining = pending[day]?[charge.scope] else { continue }
                remaining.costUSD -= charge.spend.costUSD
                remaining.tokens -= charge.spend.tokens
                pending[day]?[charge.scope] = remaining.costUSD <= 1e-12 && remaining.tokens <= 0 ? nil : remaining
                if pending[day]?.isEmpty == true { pending[day] = nil }
            }
        }
    }

    /// Forgets the spend of scopes no longer in force (deleted keys and teams), now and on later reloads; `active`
    /// (the scopes in force now) takes back any that came back.
    package func forget(scopes removed: Set<String>, active: Set<String>) {
        guard !removed.isEmpty else { return }
        removedScopes.withLock { $0 = $0.union(removed).subtracting(active) }
        pending.withLock { pending in
            for (day, charges) in pending { pending[day] = charges.filter { !removed.contains($0.key) } }
        }
        periods.withLock { periods in
            for (period, var totals) in periods {
                for scope in removed { totals.spend[scope] = nil }
                periods[period] = totals
            }
        }
    }

    /// Adds a request's cost and tokens to its key and team, and reports soft budgets it makes them reach.
    /// `time` is the time of the usage record that carries the charge to storage.
    package func add(_ cost: Double, tokens: Int, grant: KeyGrant?, at time: Date = Date()) {
        guard cost > 0 || tokens > 0, let grant else { return }
        let day = Self.utcDay(time)
        // The figures in force change under the pending charges' lock, as a reload puts its figures in force: a
        // charge is either in the pending charges the reload reads or added to the figures it put in force.
        let reached: [BudgetAlert] = pending.withLock { pending in
            var charges = pending.removeValue(forKey: day) ?? [:]
            for owner in grant.scopes {
                var charge = charges[owner.id] ?? Spend()
                charge.costUSD += cost
                charge.tokens += tokens
                charges[owner.id] = charge
            }
            pending[day] = charges
            return charged(cost, tokens: tokens, grant: grant)
        }
        for alert in reached {
            let mark = "\(alert.scope):\(alert.id)@\(alert.periodStart.timeIntervalSince1970)"
            if alerted.withLock({ $0.insert(mark).inserted }) { alerts?.send(alert) }
        }
    }

    /// Adds a charge to every period's figures in force; returns the soft budgets it makes its owners reach.
    private func charged(_ cost: Double, tokens: Int, grant: KeyGrant) -> [BudgetAlert] {
        periods.withLock { periods in
            var reached: [BudgetAlert] = []
            for period in Self.trackedPeriods {
                // Moved out and back in, so changing it never copies the table.
                guard var totals = periods.removeValue(forKey: period) else { continue }
                for owner in grant.scopes {
                    // Read, change, write back: each nested in-place access through a dictionary would allocate.
                    var spend = totals.spend[owner.id] ?? Spend()
                    let before = spend.costUSD
                    spend.costUSD += cost
                    spend.tokens += tokens
                    totals.spend[owner.id] = spend
                    if owner.limits.budgetPeriod == period, let soft = owner.limits.softBudgetUSD, before < soft, before + cost >= soft {
                        reached.append(
                            BudgetAlert(
                                scope: owner.kind, id: owner.ownerID, name: owner.name, spendUSD: before + cost, softBudgetUSD: soft,
                                maxBudgetUSD: owner.limits.maxBudgetUSD, period: period?.rawValue, periodStart: totals.start))
                    }
                }
                periods[period] = totals
            }
            return reached
        }
    }

    /// What the owner spent in the period its limits name.
    package func spent(_ scope: String, limits: UsageLimits) -> Double { used(scope, limits: limits).costUSD }

    /// What the owner used (dollars and tokens) in the period its limits name.
    package func used(_ scope: String, limits: UsageLimits) -> Spend {
        periods.withLock { $0[limits.budgetPeriod]?.spend[scope] ?? Spend() }
    }

    /// - Throws: 429 when the key's or its team's budget is spent or token quota used.
    package func checkBudget(_ grant: KeyGrant) throws(GatewayError) {
        for scope in grant.scopes {
            let used = used(scope.id, limits: scope.limits)
            let limits = scope.limits
            if let quota = limits.tokenQuota, used.tokens >= quota {
                metrics?.rejected(limit: "token_quota", scope: scope.kind)
                throw GatewayError(
                    status: 429, kind: .rateLimit, code: "token_quota_exceeded",
                    message: "The\(Self.periodWord(limits)) token quota of \(quota) for \(scope.label) is used (\(used.tokens) tokens).")
            }
            guard let budget = limits.maxBudgetUSD else { continue }
            let spent = used.costUSD
            if spent >= budget {
                metrics?.rejected(limit: "budget", scope: scope.kind)
                throw GatewayError(
                    status: 429, kind: .rateLimit, code: "budget_exceeded",
                    message: "The\(Self.periodWord(limits)) budget of $\(budget) for \(scope.label) is spent ($\((spent * 10000).rounded() / 10000)).")
            }
        }
    }

    /// ` daily` (with its space) for a periodic budget, nothing for a lifetime one.
    private static func periodWord(_ limits: UsageLimits) -> String {
        limits.budgetPeriod.map { " \($0.rawValue)" } ?? ""
    }

    package func run() async throws {
        await repeatUntilShutdown(every: refreshInterval, logger: logger, failure: "could not reload spend; budgets use the last figures") {
            try await self.refresh()
        }
    }

    /// The start (UTC) of the period containing `now`: the day, the ISO week (Monday), the month; nil: the epoch.
    private static let epoch = Date(timeIntervalSince1970: 0)

    /// Per day and scope, the two sets of charges added up.
    private static func sum(_ first: [Date: [String: Spend]], _ second: [Date: [String: Spend]]) -> [Date: [String: Spend]] {
        first.merging(second) { one, other in
            one.merging(other) { $0.adding($1) }
        }
    }

    /// Per day and scope, the larger of two readings of the pending charges.
    private static func larger(_ first: [Date: [String: Spend]], _ second: [Date: [String: Spend]]) -> [Date: [String: Spend]] {
        first.merging(second) { one, other in
            one.merging(other) { Spend(costUSD: max($0.costUSD, $1.costUSD), tokens: max($0.tokens, $1.tokens)) }
        }
    }

    /// The start of `date`'s UTC day, by arithmetic (cheap enough for every request).
    static func utcDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    static func start(of period: BudgetPeriod?, containing now: Date) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch period {
        case nil: return Date(timeIntervalSince1970: 0)
        case .daily: return calendar.startOfDay(for: now)
        case .weekly: return calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? calendar.startOfDay(for: now)
        case .monthly: return calendar.dateInterval(of: .month, for: now)?.start ?? calendar.startOfDay(for: now)
        }
    }
}

extension Spend {
    fileprivate mutating func add(_ other: Spend) {
        costUSD += other.costUSD
        tokens += other.tokens
    }

    fileprivate func adding(_ other: Spend) -> Spend {
        var sum = self
        sum.add(other)
        return sum
    }
}
