import Synchronization
public import SwitchyardCore

/// Requests per minute, tokens per minute and requests in flight, counted per key and per team in memory, as
/// token buckets refilled continuously. A request must fit every limit of its key and of its team.
///
/// Counters live in each process; with replicas sharing PostgreSQL, ``LimitSync`` charges every replica's buckets
/// with the others' traffic once per sync interval, so a limit holds cluster-wide up to what the other replicas
/// admit within one interval.
public final class LimitLedger: Sendable {
    private struct Counters: Sendable {
        /// The rpm and tpm the buckets were built for: when the scope's limits change (an admin edit, seen by every
        /// replica when it reloads its keys), the buckets are rebuilt for the new ones.
        var rpm: Int?
        var tpm: Int?
        var requests: TokenBucket?
        var tokens: TokenBucket?
        var inFlight = 0
        /// What this replica took since it started, for the other replicas.
        var requestsTaken = 0
        var tokensTaken = 0

        init(limits: UsageLimits, now: ContinuousClock.Instant) {
            rebuild(for: limits, now: now)
        }

        /// Brings the buckets in line with `limits`: a new limit starts as full as the old one was (the same share
        /// of its capacity), so lowering a limit takes effect at once and raising one does not hand out a burst.
        mutating func rebuild(for limits: UsageLimits, now: ContinuousClock.Instant) {
            if rpm != limits.rpm {
                requests = Self.bucket(limits.rpm, replacing: requests, now: now)
                rpm = limits.rpm
            }
            if tpm != limits.tpm {
                tokens = Self.bucket(limits.tpm, replacing: tokens, now: now)
                tpm = limits.tpm
            }
        }

        private static func bucket(_ capacity: Int?, replacing old: TokenBucket?, now: ContinuousClock.Instant) -> TokenBucket? {
            guard let capacity else { return nil }
            var bucket = TokenBucket(capacity: capacity, now: now)
            if var old, old.capacity > 0 {
                let share = max(0, min(1, old.available(at: now) / old.capacity))
                bucket.adjust(by: bucket.capacity * (1 - share), at: now)
            }
            return bucket
        }
    }

    private let counters = Mutex<[String: Counters]>([:])

    /// Other replicas' traffic for scopes this replica holds no counters for yet, charged when it makes them: a
    /// key's first request here must see what the others already used. Kept for a minute (the buckets' refill);
    /// taken only inside `counters`' lock.
    private let unclaimed = Mutex<[String: (used: LimitTotals, at: ContinuousClock.Instant)]>([:])

    /// How long unclaimed traffic is kept: a bucket refills whole in a minute.
    static let unclaimedFor: Duration = .seconds(60)

    private let metrics: GatewayMetrics?

    /// A ledger that reports to no metrics.
    public convenience init() { self.init(metrics: nil) }

    package init(metrics: GatewayMetrics?) {
        self.metrics = metrics
    }

    /// What a request may see of its limits: the tightest of its key's and team's, for the `x-ratelimit-*` headers.
    package struct Headroom: Sendable, Equatable {
        package var requestLimit: Int?
        package var remainingRequests: Int?
        package var requestsResetSeconds: Int?
        package var tokenLimit: Int?
        package var remainingTokens: Int?
        package var tokensResetSeconds: Int?
    }

    /// Counts one request of about `estimatedTokens` against `grant`'s key and team.
    /// - Throws: 429 naming the limit, with `Retry-After`, when the request does not fit.
    public func admit(_ grant: KeyGrant, estimatedTokens: Int, now: ContinuousClock.Instant = .now) throws(GatewayError) -> LimitPermit {
        let scopes = grant.limitScopes
        // Which limit refused, and whose: for the rejection metric.
        var refused: (limit: String, scope: String)?
        defer { if let refused { metrics?.rejected(limit: refused.limit, scope: refused.scope) } }
        let headroom = try counters.withLock { table throws(GatewayError) -> Headroom in
            // Check every scope before taking from any, so a refused request costs nothing.
            for scope in scopes {
                let isNew = table[scope.id] == nil
                var entry = table[scope.id] ?? newCounters(for: scope, now: now)
                entry.rebuild(for: scope.limits, now: now)
                if let maxParallel = scope.limits.maxParallel, entry.inFlight >= maxParallel {
                    refused = ("max_parallel", scope.kind)
                    throw Self.refusal("\(maxParallel) requests in flight", scope: scope, retryAfter: 1)
                }
                if var requests = entry.requests, requests.available(at: now) < 1 {
                    let wait = requests.wait(for: 1, at: now)
                    refused = ("rpm", scope.kind)
                    throw Self.refusal("\(entry.rpm ?? 0) requests per minute", scope: scope, retryAfter: Self.seconds(wait))
                }
                if var tokens = entry.tokens {
                    let needed = min(Double(estimatedTokens), tokens.capacity)
                    if tokens.available(at: now) < needed {
                        let wait = tokens.wait(for: needed, at: now)
                        refused = ("tpm", scope.kind)
                        throw Self.refusal("\(entry.tpm ?? 0) tokens per minute", scope: scope, retryAfter: Self.seconds(wait))
                    }
                    entry.tokens = tokens
                }
                table[scope.id] = entry
                if isNew { unclaimed.withLock { _ = $0.removeValue(forKey: scope.id) } }
            }
            var headroom = Headroom()
            for scope in scopes {
                // Every scope was written back by the check above.
                guard var entry = table[scope.id] else { continue }
                entry.inFlight += 1
                entry.requestsTaken += 1
                entry.tokensTaken += estimatedTokens
                if var requests = entry.requests, let rpm = entry.rpm {
                    _ = requests.take(1, at: now)
                    Self.tighten(&headroom.requestLimit, &headroom.remainingRequests, &headroom.requestsResetSeconds,
                        limit: rpm, remaining: requests.available(at: now), refill: requests.wait(for: requests.capacity, at: now))
                    entry.requests = requests
                }
                if var tokens = entry.tokens, let tpm = entry.tpm {
                    tokens.adjust(by: Double(estimatedTokens), at: now)
                    Self.tighten(&headroom.tokenLimit, &headroom.remainingTokens, &headroom.tokensResetSeconds,
                        limit: tpm, remaining: tokens.available(at: now), refill: tokens.wait(for: tokens.capacity, at: now))
                    entry.tokens = tokens
                }
                table[scope.id] = entry
            }
            return headroom
        }
        return LimitPermit(ledger: self, scopes: scopes, estimatedTokens: estimatedTokens, headroom: headroom)
    }

    /// Counters for a scope first seen here, charged with the other replicas' unclaimed traffic for it (which
    /// stays unclaimed until the counters are kept, so a refused first request loses none of it).
    private func newCounters(for scope: GrantScope, now: ContinuousClock.Instant) -> Counters {
        var entry = Counters(limits: scope.limits, now: now)
        if let (used, at) = unclaimed.withLock({ $0[scope.id] }), now - at < Self.unclaimedFor {
            // Never more than a whole bucket: the others' traffic can empty it, not put it in debt.
            if used.requests > 0, let capacity = entry.requests?.capacity { entry.requests?.adjust(by: min(Double(used.requests), capacity), at: now) }
            if used.tokens > 0, let capacity = entry.tokens?.capacity { entry.tokens?.adjust(by: min(Double(used.tokens), capacity), at: now) }
        }
        return entry
    }

    /// Ends a request: frees its in-flight slot and replaces its token estimate with the real count.
    func release(_ scopes: [GrantScope], tokenCorrection: Int, now: ContinuousClock.Instant = .now) {
        counters.withLock { table in
            for scope in scopes {
                // Read, change, write back: each nested in-place access through a dictionary would allocate.
                guard var entry = table[scope.id] else { continue }
                // Never below 0: counters forgotten while this request ran were made anew without it.
                entry.inFlight = max(0, entry.inFlight - 1)
                entry.tokensTaken += tokenCorrection
                if tokenCorrection != 0 { entry.tokens?.adjust(by: Double(tokenCorrection), at: now) }
                table[scope.id] = entry
            }
        }
    }

    /// This replica's running totals per scope.
    package func localTotals() -> [String: LimitTotals] {
        counters.withLock { table in table.mapValues { LimitTotals(requests: $0.requestsTaken, tokens: $0.tokensTaken) } }
    }

    /// Charges other replicas' recent traffic to this replica's buckets.
    package func charge(remote: [String: LimitTotals], now: ContinuousClock.Instant = .now) {
        counters.withLock { table in
            unclaimed.withLock { unclaimed in
                unclaimed = unclaimed.filter { now - $0.value.at < Self.unclaimedFor }
                for (scope, used) in remote where used.requests > 0 || used.tokens > 0 {
                    guard var entry = table[scope] else {
                        // Added up from the oldest charge kept (expired ones were dropped above): at most a minute's
                        // traffic, as a bucket refills whole in a minute.
                        if let (before, since) = unclaimed[scope] {
                            unclaimed[scope] = (
                                LimitTotals(requests: before.requests &+ used.requests, tokens: before.tokens &+ used.tokens), since
                            )
                        } else {
                            unclaimed[scope] = (used, now)
                        }
                        continue
                    }
                    if used.requests > 0 { entry.requests?.adjust(by: Double(used.requests), at: now) }
                    if used.tokens > 0 { entry.tokens?.adjust(by: Double(used.tokens), at: now) }
                    table[scope] = entry
                }
            }
        }
    }

    /// Forgets the counters of scopes no longer in force (deleted keys and teams); a request of theirs still in
    /// flight finds nothing to release.
    package func forget(scopes removed: Set<String>) {
        guard !removed.isEmpty else { return }
        counters.withLock { table in
            for scope in removed { table[scope] = nil }
        }
    }

    private static func refusal(_ limit: String, scope: GrantScope, retryAfter: Int) -> GatewayError {
        var error = GatewayError(
            status: 429, kind: .rateLimit, code: "rate_limit_exceeded", message: "The limit of \(limit) for \(scope.label) is reached.")
        error.retryAfterSeconds = retryAfter
        return error
    }

    private static func tighten(_ limit: inout Int?, _ remaining: inout Int?, _ reset: inout Int?, limit newLimit: Int, remaining available: Double, refill: Duration) {
        let left = max(0, Int(saturating: available))
        if let remaining, remaining <= left { return }
        limit = newLimit
        remaining = left
        reset = seconds(refill)
    }

    static func seconds(_ duration: Duration) -> Int {
        max(1, Int(saturating: (Double(duration.wholeNanoseconds) / 1e9).rounded(.up)))
    }
}

/// One admitted request's hold on its limits; released when finished (or when dropped, if its client left).
public final class LimitPermit: Sendable {
    let ledger: LimitLedger
    let scopes: [GrantScope]
    let estimatedTokens: Int
    package let headroom: LimitLedger.Headroom
    private let released = Atomic<Bool>(false)

    init(ledger: LimitLedger, scopes: [GrantScope], estimatedTokens: Int, headroom: LimitLedger.Headroom) {
        self.ledger = ledger
        self.scopes = scopes
        self.estimatedTokens = estimatedTokens
        self.headroom = headroom
    }

    /// Frees the in-flight slot; `actualTokens`, when the upstream reported them, replaces the estimate.
    public func release(actualTokens: Int? = nil) {
        guard !released.exchange(true, ordering: .acquiringAndReleasing), !scopes.isEmpty else { return }
        ledger.release(scopes, tokenCorrection: actualTokens.map { $0 - estimatedTokens } ?? 0)
    }

    deinit { release() }
}
