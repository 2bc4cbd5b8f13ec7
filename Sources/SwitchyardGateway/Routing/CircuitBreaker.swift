package import SwitchyardCore

/// Whether requests may go to a target, from its recent outcomes. A value-type state machine: the caller passes
/// `now` in and reports the outcome of every request it let through.
///
/// - closed: requests flow; the circuit opens after `consecutiveFailures` failures in a row, or when the failure
///   ratio over the window reaches `errorRate` with at least `minimumRequests` outcomes.
/// - open: requests are refused until `cooldown` has passed, then one probe is let through (half-open).
/// - half-open: a successful probe closes the circuit, a failed one opens it again.
package struct CircuitBreaker: Sendable {
    package enum State: Sendable, Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen
    }

    /// What became of a request the breaker let through.
    package enum Outcome: Sendable {
        case success
        case failure
        /// Cancelled before it told anything about the target.
        case abandoned

        /// The outcome's name in metrics and spans.
        package var label: String {
            switch self {
            case .success: "success"
            case .failure: "failure"
            case .abandoned: "abandoned"
            }
        }
    }

    package let policy: CircuitBreakerPolicy
    package private(set) var state: State = .closed
    private var consecutiveFailures = 0
    private var probeInFlight = false
    private var window: OutcomeWindow

    package init(policy: CircuitBreakerPolicy) {
        self.policy = policy
        window = OutcomeWindow(length: policy.window)
    }

    /// Whether a request would be let through now, without taking the half-open probe slot.
    package func wouldAllow(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen: !probeInFlight
        }
    }

    /// What ``admit(at:)`` decided.
    package enum Admission: Sendable, Equatable {
        case refused
        case admitted
        /// Admitted as the one request that decides whether a half-open circuit closes.
        case probe

        package var isAdmitted: Bool { self != .refused }
    }

    /// Lets a request through or refuses it; in half-open (or when the cooldown just ended) only one probe at a time.
    package mutating func admit(at now: ContinuousClock.Instant) -> Admission {
        switch state {
        case .closed:
            return .admitted
        case .open(let until):
            guard now >= until else { return .refused }
            state = .halfOpen
            probeInFlight = true
            return .probe
        case .halfOpen:
            guard !probeInFlight else { return .refused }
            probeInFlight = true
            return .probe
        }
    }

    /// Reports what became of a request that ``admit(at:)`` let through. While the circuit is half-open only the
    /// probe's outcome counts: a request admitted earlier says nothing about the target now.
    package mutating func record(_ outcome: Outcome, wasProbe: Bool = false, at now: ContinuousClock.Instant) {
        if case .halfOpen = state, !wasProbe { return }
        switch (state, outcome) {
        case (_, .abandoned):
            if wasProbe { probeInFlight = false }
        case (.halfOpen, .success):
            close()
        case (.halfOpen, .failure):
            open(at: now)
        case (.closed, .success):
            consecutiveFailures = 0
            window.add(failed: false, at: now)
        case (.closed, .failure):
            consecutiveFailures += 1
            window.add(failed: true, at: now)
            let (total, failed) = window.counts(at: now)
            if consecutiveFailures >= policy.consecutiveFailures
                || (total >= policy.minimumRequests && Double(failed) >= policy.errorRate * Double(total))
            {
                open(at: now)
            }
        case (.open, _):
            break  // a late answer from before the circuit opened
        }
    }

    /// An active health check's verdict: a success closes the circuit whatever its state; a failure counts as one.
    package mutating func recordProbe(success: Bool, at now: ContinuousClock.Instant) {
        if success {
            close()
        } else if case .closed = state {
            record(.failure, at: now)
        } else {
            open(at: now)
        }
    }

    /// The failure ratio over the window, for display.
    package func errorRate(at now: ContinuousClock.Instant) -> Double {
        let (total, failed) = window.counts(at: now)
        return total == 0 ? 0 : Double(failed) / Double(total)
    }

    private mutating func open(at now: ContinuousClock.Instant) {
        state = .open(until: now + policy.cooldown)
        probeInFlight = false
        consecutiveFailures = 0
        window.reset()
    }

    private mutating func close() {
        state = .closed
        probeInFlight = false
        consecutiveFailures = 0
        window.reset()
    }
}

/// Outcome counts over a sliding window, kept in ten buckets so memory stays fixed whatever the traffic.
struct OutcomeWindow: Sendable {
    private static let bucketCount = 10
    private let bucketLength: Duration
    private var buckets: [(start: ContinuousClock.Instant?, total: Int, failed: Int)]

    init(length: Duration) {
        bucketLength = length / Self.bucketCount
        buckets = Array(repeating: (nil, 0, 0), count: Self.bucketCount)
    }

    mutating func add(failed: Bool, at now: ContinuousClock.Instant) {
        let index = bucketIndex(at: now)
        let start = bucketStart(at: now)
        if buckets[index].start != start { buckets[index] = (start, 0, 0) }
        buckets[index].total += 1
        if failed { buckets[index].failed += 1 }
    }

    func counts(at now: ContinuousClock.Instant) -> (total: Int, failed: Int) {
        let oldest = bucketStart(at: now) - bucketLength * (Self.bucketCount - 1)
        var total = 0
        var failed = 0
        for bucket in buckets {
            guard let start = bucket.start, start >= oldest else { continue }
            total += bucket.total
            failed += bucket.failed
        }
        return (total, failed)
    }

    mutating func reset() {
        buckets = Array(repeating: (nil, 0, 0), count: Self.bucketCount)
    }

    private func ticks(at now: ContinuousClock.Instant) -> Int64 {
        let elapsed = now - Self.epoch
        return elapsed.wholeNanoseconds / max(1, bucketLength.wholeNanoseconds)
    }

    private func bucketIndex(at now: ContinuousClock.Instant) -> Int { Int(ticks(at: now) % Int64(Self.bucketCount)) }

    private func bucketStart(at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        Self.epoch + bucketLength * Int(ticks(at: now))
    }

    private static let epoch = ContinuousClock.now
}
