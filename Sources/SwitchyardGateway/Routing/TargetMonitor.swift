import Synchronization
package import SwitchyardCore
import Tracing

/// The live state of one target (a provider and an upstream model): circuit breaker, requests in flight,
/// recent latency, provider capacity. Shared by every model that routes to the same target.
package final class TargetMonitor: Sendable {
    package let target: Target
    /// The dialect of the target's provider, for metric labels and span attributes.
    package let providerKind: ProviderKind?
    private let metrics: GatewayMetrics?
    private let inFlightCount = Atomic<Int>(0)
    /// Requests that chose this target as least busy and have not been admitted yet.
    private let reservedCount = Atomic<Int>(0)
    private let record: Mutex<Record>

    struct Record: Sendable {
        var breaker: CircuitBreaker
        /// Exponentially weighted moving averages, in seconds.
        var latency: Double?
        var timeToFirstToken: Double?
        var requests = 0
        var failures = 0
        var lastError: String?
        var lastErrorAt: ContinuousClock.Instant?
        var requestBudget: TokenBucket?
        var tokenBudget: TokenBucket?
    }

    /// A read-only view for routing decisions and the admin API.
    package struct Snapshot: Sendable {
        package var target: Target
        package var state: CircuitBreaker.State
        package var usable: Bool
        package var inFlight: Int
        package var latency: Double?
        package var timeToFirstToken: Double?
        package var requests: Int
        package var failures: Int
        package var errorRate: Double
        package var lastError: String?
        package var lastErrorAge: Duration?
    }

    /// Weight of the newest sample in the moving averages.
    static let smoothing = 0.3

    package init(
        target: Target, breaker: CircuitBreakerPolicy, providerKind: ProviderKind? = nil, metrics: GatewayMetrics? = nil,
        now: ContinuousClock.Instant = .now
    ) {
        self.target = target
        self.providerKind = providerKind
        self.metrics = metrics
        record = Mutex(
            Record(
                breaker: CircuitBreaker(policy: breaker),
                requestBudget: target.rpm.map { TokenBucket(capacity: $0, now: now) },
                tokenBudget: target.tpm.map { TokenBucket(capacity: $0, now: now) }))
    }

    package var inFlight: Int { inFlightCount.load(ordering: .relaxed) }

    /// Requests in flight plus those that chose this target and are about to start: what least-busy compares.
    ///
    /// An admitted request is counted in flight before its reservation ends, and this reads the reservations first:
    /// a reader that sees a reservation gone also sees the request in flight, so the sum may count a request twice
    /// for a moment but never misses it.
    var load: Int {
        let reserved = reservedCount.load(ordering: .acquiring)
        return reserved + inFlightCount.load(ordering: .relaxed)
    }

    /// Counts a request that chose this target before it is admitted, so choices made meanwhile see it.
    func reserve() {
        reservedCount.add(1, ordering: .relaxed)
    }

    /// Ends a ``reserve()``: the request was admitted (and counts in flight now), refused, or went elsewhere.
    func releaseReservation() {
        reservedCount.subtract(1, ordering: .releasing)
    }

    /// Why a target was passed over.
    package enum Refusal: Error, Sendable, Equatable {
        case circuitOpen
        case atCapacity
    }

    /// Claims the target for one request estimated at `tokens` tokens: checks the breaker and the provider
    /// capacity, and counts the request in flight. The lease must be finished.
    func admit(estimatedTokens tokens: Int, at now: ContinuousClock.Instant) -> Result<TargetLease, Refusal> {
        var isProbe = false
        var transition: CircuitBreaker.State?
        let refusal: Refusal? = record.withLock { record in
            if var budget = record.requestBudget {
                guard budget.available(at: now) >= 1 else { return .atCapacity }
                record.requestBudget = budget
            }
            if var budget = record.tokenBudget {
                guard budget.available(at: now) >= Double(min(tokens, Int(budget.capacity))) else { return .atCapacity }
                record.tokenBudget = budget
            }
            let before = Self.stateCode(record.breaker.state)
            let admission = record.breaker.admit(at: now)
            // An open circuit whose cool-down ended turns half-open here.
            if Self.stateCode(record.breaker.state) != before { transition = record.breaker.state }
            guard admission.isAdmitted else { return .circuitOpen }
            isProbe = admission == .probe
            _ = record.requestBudget?.take(1, at: now)
            record.tokenBudget?.adjust(by: Double(tokens), at: now)
            record.requests += 1
            return nil
        }
        if let transition { metrics?.circuitState(target: target, state: transition) }
        if let refusal { return .failure(refusal) }
        inFlightCount.add(1, ordering: .relaxed)
        return .success(TargetLease(monitor: self, estimatedTokens: tokens, startedAt: now, isProbe: isProbe))
    }

    /// Called once per lease.
    func finish(
        _ outcome: CircuitBreaker.Outcome, wasProbe: Bool, error: String?, duration: Duration, timeToFirstToken: Duration?,
        tokenCorrection: Int, at now: ContinuousClock.Instant
    ) {
        inFlightCount.subtract(1, ordering: .relaxed)
        let latency = outcome == .success ? duration : nil
        let transition = record.withLock { record in
            let before = Self.stateCode(record.breaker.state)
            record.breaker.record(outcome, wasProbe: wasProbe, at: now)
            if outcome == .failure {
                record.failures += 1
                record.lastError = error
                record.lastErrorAt = now
            }
            if let latency { record.latency = Self.average(record.latency, latency) }
            if let timeToFirstToken { record.timeToFirstToken = Self.average(record.timeToFirstToken, timeToFirstToken) }
            if tokenCorrection != 0 { record.tokenBudget?.adjust(by: Double(tokenCorrection), at: now) }
            return Self.stateCode(record.breaker.state) == before ? nil : record.breaker.state
        }
        metrics?.attemptFinished(target: target, provider: providerKind, outcome: outcome.label, duration: duration)
        if let transition { metrics?.circuitState(target: target, state: transition) }
    }

    /// Records an active health check's result.
    package func recordProbe(success: Bool, error: String?, latency: Duration, at now: ContinuousClock.Instant = .now) {
        let transition = record.withLock { record in
            let before = Self.stateCode(record.breaker.state)
            record.breaker.recordProbe(success: success, at: now)
            if success {
                record.latency = Self.average(record.latency, latency)
            } else {
                record.lastError = error
                record.lastErrorAt = now
            }
            return Self.stateCode(record.breaker.state) == before ? nil : record.breaker.state
        }
        if let transition { metrics?.circuitState(target: target, state: transition) }
    }

    /// Closed, half-open and open, without the open state's deadline.
    private static func stateCode(_ state: CircuitBreaker.State) -> Int {
        switch state {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }

    package func snapshot(at now: ContinuousClock.Instant = .now) -> Snapshot {
        let inFlight = self.inFlight
        return record.withLock { record in
            Snapshot(
                target: target, state: record.breaker.state, usable: record.breaker.wouldAllow(at: now), inFlight: inFlight,
                latency: record.latency, timeToFirstToken: record.timeToFirstToken, requests: record.requests,
                failures: record.failures, errorRate: record.breaker.errorRate(at: now), lastError: record.lastError,
                lastErrorAge: record.lastErrorAt.map { now - $0 })
        }
    }

    private static func average(_ current: Double?, _ sample: Duration) -> Double {
        let seconds = Double(sample.wholeNanoseconds) / 1e9
        guard let current else { return seconds }
        return current + smoothing * (seconds - current)
    }
}

/// One request's claim on a target: counted in flight until finished. Finishing twice does nothing; a lease
/// dropped unfinished (its client left) is finished as abandoned.
final class TargetLease: Sendable {
    let monitor: TargetMonitor
    let estimatedTokens: Int
    let startedAt: ContinuousClock.Instant
    /// Whether this request is the probe of a half-open circuit.
    let isProbe: Bool
    private let finished = Atomic<Bool>(false)
    private let attemptSpan = Mutex<(any Span)?>(nil)

    init(monitor: TargetMonitor, estimatedTokens: Int, startedAt: ContinuousClock.Instant, isProbe: Bool) {
        self.monitor = monitor
        self.estimatedTokens = estimatedTokens
        self.startedAt = startedAt
        self.isProbe = isProbe
    }

    /// The client span of this attempt, when tracing is on; ended with the lease.
    var span: (any Span)? {
        get { attemptSpan.withLock { $0 } }
        set { attemptSpan.withLock { $0 = newValue } }
    }

    /// Ends the lease. `actualTokens`, when known, replaces the estimate in the token budget.
    func finish(
        _ outcome: CircuitBreaker.Outcome, error: String? = nil, timeToFirstToken: Duration? = nil, actualTokens: Int? = nil,
        at now: ContinuousClock.Instant = .now
    ) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        monitor.finish(
            outcome, wasProbe: isProbe, error: error, duration: now - startedAt, timeToFirstToken: timeToFirstToken,
            tokenCorrection: actualTokens.map { $0 - estimatedTokens } ?? 0, at: now)
        if let span = attemptSpan.withLock({ $0.take() }) {
            if outcome != .success { span.setStatus(SpanStatus(code: .error, message: error.map(SecretRedactor.patternsOnly.redact) ?? outcome.label)) }
            span.attributes["switchyard.attempt.outcome"] = outcome.label
            span.end()
        }
    }

    deinit {
        finish(.abandoned)
    }
}
