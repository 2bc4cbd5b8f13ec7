import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardGateway

@Suite("Limit ledger")
struct LimitLedgerTests {
    let start = ContinuousClock.now

    static func grant(id: String = "k1", _ limits: UsageLimits) -> KeyGrant {
        KeyGrant(
            key: VirtualKey(
                id: id, name: id, prefix: "sk-sy", digest: SecretDigest(of: id), teamID: nil, models: nil, limits: limits, expiresAt: nil, metadata: [:],
                createdAt: .now),
            team: nil)
    }

    @Test("a lowered rpm takes effect at once: the buckets are rebuilt for the new limit")
    func loweredLimit() throws {
        let ledger = LimitLedger()
        for _ in 0..<3 { try ledger.admit(Self.grant(UsageLimits(rpm: 1000)), estimatedTokens: 1, now: start).release() }
        // The key's new limit, as the directory hands it over after an admin edit: one request a minute.
        let lowered = Self.grant(UsageLimits(rpm: 1))
        let later = start + .seconds(2.5)
        let admitted = try ledger.admit(lowered, estimatedTokens: 1, now: later)
        #expect(admitted.headroom.requestLimit == 1)
        admitted.release()
        for second in 0..<2 {
            #expect(throws: GatewayError.self) { try ledger.admit(lowered, estimatedTokens: 1, now: later + .milliseconds(10 * second)) }
        }
        // Raised again: the new limit shows at once.
        let raised = Self.grant(UsageLimits(rpm: 1000))
        let permit = try ledger.admit(raised, estimatedTokens: 1, now: later + .seconds(60))
        #expect(permit.headroom.requestLimit == 1000)
    }

    @Test("a key at its rpm is refused until its bucket refills, and is told about how long to wait")
    func refill() throws {
        let ledger = LimitLedger()
        let grant = Self.grant(UsageLimits(rpm: 2))
        for _ in 0..<2 { try ledger.admit(grant, estimatedTokens: 1, now: start).release() }
        do {
            _ = try ledger.admit(grant, estimatedTokens: 1, now: start + .seconds(1))
            Issue.record("a third request within the minute was admitted")
        } catch {
            // One request comes back every 30 s, and 1 s of it has passed.
            #expect((29...30).contains(error.retryAfterSeconds ?? 0))
        }
        #expect(throws: GatewayError.self) { try ledger.admit(grant, estimatedTokens: 1, now: start + .seconds(29)) }
        let permit = try ledger.admit(grant, estimatedTokens: 1, now: start + .seconds(31))
        #expect(permit.headroom.remainingRequests == 0)
    }

    @Test("a request over max_parallel is refused until one in flight is released, once")
    func maxParallel() throws {
        let ledger = LimitLedger()
        let grant = Self.grant(UsageLimits(maxParallel: 2))
        let first = try ledger.admit(grant, estimatedTokens: 1, now: start)
        let second = try ledger.admit(grant, estimatedTokens: 1, now: start)
        do {
            _ = try ledger.admit(grant, estimatedTokens: 1, now: start)
            Issue.record("a third request in flight was admitted")
        } catch {
            #expect(error.retryAfterSeconds == 1)
        }
        first.release()
        first.release()
        let third = try ledger.admit(grant, estimatedTokens: 1, now: start)
        #expect(throws: GatewayError.self, "releasing one permit twice frees one slot") {
            try ledger.admit(grant, estimatedTokens: 1, now: start)
        }
        withExtendedLifetime((second, third)) {}
    }

    @Test("a limit removed, then another set, never traps on buckets built for the old limits")
    func removedLimit() throws {
        let ledger = LimitLedger()
        try ledger.admit(Self.grant(UsageLimits(rpm: 5, tpm: 100, maxParallel: 3)), estimatedTokens: 10, now: start).release()
        let onlyParallel = try ledger.admit(Self.grant(UsageLimits(maxParallel: 3)), estimatedTokens: 10, now: start + .seconds(1))
        #expect(onlyParallel.headroom.requestLimit == nil)
        #expect(onlyParallel.headroom.tokenLimit == nil)
        onlyParallel.release()
        let tokensOnly = try ledger.admit(Self.grant(UsageLimits(tpm: 50)), estimatedTokens: 10, now: start + .seconds(2))
        #expect(tokensOnly.headroom.tokenLimit == 50)
    }

    @Test("the largest limits and estimates the admin API accepts never overflow")
    func extremes() throws {
        let ledger = LimitLedger()
        let huge = Self.grant(UsageLimits(rpm: 1_000_000_000_000, tpm: 1_000_000_000_000))
        let permit = try ledger.admit(huge, estimatedTokens: Int.max / 2, now: start)
        permit.release(actualTokens: 1_000_000_000)
        let tiny = Self.grant(id: "k2", UsageLimits(tpm: 1))
        try ledger.admit(tiny, estimatedTokens: 1, now: start).release(actualTokens: 1_000_000_000)
        do {
            _ = try ledger.admit(tiny, estimatedTokens: 1, now: start)
            Issue.record("a bucket deep in debt admitted a request")
        } catch {
            #expect(error.retryAfterSeconds ?? 0 > 0)
        }
    }

    @Test("counters of deleted keys are forgotten; a request of theirs still in flight releases nothing")
    func forget() throws {
        let ledger = LimitLedger()
        let held = try ledger.admit(Self.grant(id: "busy", UsageLimits(rpm: 10)), estimatedTokens: 1, now: start)
        try ledger.admit(Self.grant(id: "kept", UsageLimits(rpm: 10)), estimatedTokens: 1, now: start).release()
        ledger.forget(scopes: ["key:busy", "key:never-seen"])
        #expect(Set(ledger.localTotals().keys) == ["key:kept"])
        held.release()
        #expect(Set(ledger.localTotals().keys) == ["key:kept"])
    }

    @Test("a token bucket's wait stays finite and in range at the extremes")
    func bucketExtremes() {
        var empty = TokenBucket(capacity: 1, now: start)
        empty.adjust(by: 1e18, at: start)
        #expect(empty.wait(for: 1, at: start) <= .seconds(365 * 24 * 3600))
        var zero = TokenBucket(capacity: 0, now: start)
        #expect(zero.wait(for: 1, at: start) == .seconds(365 * 24 * 3600))
        #expect(LimitLedger.seconds(.seconds(Int64.max)) > 0)
    }

    @Test("other replicas' traffic for a key not yet seen here counts at its first request here, refused or not")
    func remoteTrafficBeforeFirstRequest() throws {
        let ledger = LimitLedger()
        let grant = Self.grant(UsageLimits(rpm: 4))
        // The sync runs before this replica has served the key: the four requests must not be dropped.
        ledger.charge(remote: ["key:k1": LimitTotals(requests: 4, tokens: 40)], now: start)
        #expect(throws: GatewayError.self) { try ledger.admit(grant, estimatedTokens: 1, now: start + .milliseconds(10)) }
        #expect(throws: GatewayError.self, "a refused request leaves the charge in place") {
            try ledger.admit(grant, estimatedTokens: 1, now: start + .milliseconds(20))
        }
        // A minute on, the bucket has refilled, and the old charge is gone.
        try ledger.admit(grant, estimatedTokens: 1, now: start + .seconds(61)).release()
    }

    @Test("unclaimed traffic older than a minute is dropped; later charges to the same key add up")
    func unclaimedTrafficAges() throws {
        let ledger = LimitLedger()
        let grant = Self.grant(UsageLimits(rpm: 4))
        ledger.charge(remote: ["key:k1": LimitTotals(requests: 4, tokens: 0)], now: start)
        ledger.charge(remote: ["key:k2": LimitTotals(requests: 1, tokens: 0)], now: start + .seconds(61))
        try ledger.admit(grant, estimatedTokens: 1, now: start + .seconds(61)).release()

        ledger.charge(remote: ["key:k3": LimitTotals(requests: 2, tokens: 0)], now: start)
        ledger.charge(remote: ["key:k3": LimitTotals(requests: 2, tokens: 0)], now: start + .seconds(1))
        #expect(throws: GatewayError.self) { try ledger.admit(Self.grant(id: "k3", UsageLimits(rpm: 4)), estimatedTokens: 1, now: start + .seconds(1)) }
    }

    @Test("unclaimed traffic that goes on for minutes is at most a minute's, and never more than a whole bucket")
    func unclaimedTrafficIsBounded() throws {
        let ledger = LimitLedger()
        let grant = Self.grant(UsageLimits(rpm: 4))
        // Other replicas serve the key at 100 requests a second for two minutes before its first request here.
        for second in 0..<120 { ledger.charge(remote: ["key:k1": LimitTotals(requests: 100, tokens: 0)], now: start + .seconds(second)) }
        let first = start + .seconds(119.5)
        #expect(throws: GatewayError.self, "the others emptied the bucket") { try ledger.admit(grant, estimatedTokens: 1, now: first) }
        // Emptied, not put in debt for hours: one request's worth refills in 15 s.
        try ledger.admit(grant, estimatedTokens: 1, now: first + .seconds(15.1)).release()
    }
}
