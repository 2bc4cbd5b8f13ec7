import SwitchyardCore
import SwitchyardGateway
import Testing

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    let start = ContinuousClock.now
    let policy = CircuitBreakerPolicy(consecutiveFailures: 3, errorRate: 0.5, minimumRequests: 10, window: .seconds(60), cooldown: .seconds(30))

    @Test("opens after consecutive failures, lets one probe through after the cooldown, closes on its success")
    func consecutiveFailures() {
        var breaker = CircuitBreaker(policy: policy)
        for second in 0..<3 {
            let admitted1 = breaker.admit(at: start + .seconds(second)).isAdmitted
            #expect(admitted1)
            breaker.record(.failure, at: start + .seconds(second))
        }
        #expect(breaker.state == .open(until: start + .seconds(32)))
        let admitted2 = breaker.admit(at: start + .seconds(20)).isAdmitted
        #expect(!admitted2)
        #expect(!breaker.wouldAllow(at: start + .seconds(31)))
        let admitted3 = breaker.admit(at: start + .seconds(33)).isAdmitted
        #expect(admitted3)
        #expect(breaker.state == .halfOpen)
        let admitted4 = breaker.admit(at: start + .seconds(33)).isAdmitted
        #expect(!admitted4, "only one probe at a time")
        breaker.record(.success, at: start + .seconds(34))
        #expect(breaker.state == .halfOpen, "a request admitted before the circuit opened does not decide")
        breaker.record(.success, wasProbe: true, at: start + .seconds(34))
        #expect(breaker.state == .closed)
        let admitted5 = breaker.admit(at: start + .seconds(34)).isAdmitted
        #expect(admitted5)
    }

    @Test("a failed probe opens the circuit again; an abandoned one frees the probe slot")
    func failedProbe() {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<3 {
            _ = breaker.admit(at: start)
            breaker.record(.failure, at: start)
        }
        let admitted6 = breaker.admit(at: start + .seconds(30)).isAdmitted
        #expect(admitted6)
        breaker.record(.abandoned, at: start + .seconds(30))
        #expect(!breaker.admit(at: start + .seconds(30)).isAdmitted, "only the probe's own end frees its slot")
        breaker.record(.abandoned, wasProbe: true, at: start + .seconds(30))
        let admitted7 = breaker.admit(at: start + .seconds(30)).isAdmitted
        #expect(admitted7)
        breaker.record(.failure, wasProbe: true, at: start + .seconds(31))
        #expect(breaker.state == .open(until: start + .seconds(61)))
    }

    @Test("a success resets the count of consecutive failures")
    func successResets() {
        var breaker = CircuitBreaker(policy: CircuitBreakerPolicy(consecutiveFailures: 3, errorRate: 1, minimumRequests: 10))
        for _ in 0..<10 {
            _ = breaker.admit(at: start)
            breaker.record(.failure, at: start)
            breaker.record(.failure, at: start)
            breaker.record(.success, at: start)
            breaker.record(.success, at: start)
            breaker.record(.success, at: start)
        }
        #expect(breaker.state == .closed)
    }

    @Test("opens when the error rate over the window reaches the threshold")
    func errorRate() {
        var breaker = CircuitBreaker(policy: policy)
        for index in 0..<9 {
            breaker.record(index.isMultiple(of: 2) ? .failure : .success, at: start + .seconds(index))
        }
        #expect(breaker.state == .closed)
        breaker.record(.failure, at: start + .seconds(9))  // 6 of 10 failed
        #expect(breaker.state == .open(until: start + .seconds(39)))
    }

    @Test("old outcomes fall out of the window")
    func window() {
        var breaker = CircuitBreaker(policy: policy)
        for index in 0..<9 {
            breaker.record(index.isMultiple(of: 2) ? .failure : .success, at: start)
        }
        #expect(breaker.errorRate(at: start) > 0.5)
        #expect(breaker.errorRate(at: start + .seconds(120)) == 0)
        breaker.record(.failure, at: start + .seconds(120))
        #expect(breaker.state == .closed)
    }

    @Test("an active health check closes or opens the circuit")
    func probes() {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<3 { breaker.record(.failure, at: start) }
        #expect(breaker.state != .closed)
        breaker.recordProbe(success: true, at: start + .seconds(1))
        #expect(breaker.state == .closed)
        breaker.recordProbe(success: false, at: start + .seconds(2))
        breaker.recordProbe(success: false, at: start + .seconds(2))
        breaker.recordProbe(success: false, at: start + .seconds(2))
        #expect(breaker.state == .open(until: start + .seconds(32)))
    }
}

@Suite("Token bucket")
struct TokenBucketTests {
    @Test("refills continuously up to capacity and reports the wait")
    func refill() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(capacity: 60, per: .seconds(60), now: start)
        let tookAll = bucket.take(60, at: start)
        let tookMore = bucket.take(1, at: start)
        let wait = bucket.wait(for: 1, at: start)
        let tookAfterRefill = bucket.take(1, at: start + .seconds(1))
        let full = bucket.available(at: start + .seconds(600))
        bucket.adjust(by: 100, at: start + .seconds(600))
        let inDebt = bucket.available(at: start + .seconds(600))
        #expect(tookAll && !tookMore && tookAfterRefill)
        #expect(wait == .seconds(1))
        #expect(full == 60)
        #expect(inDebt == -40)
    }
}
