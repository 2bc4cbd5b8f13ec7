import SwitchyardCore

/// A token bucket refilled continuously: `capacity` tokens at most, `capacity` per `period` refill.
/// A value type with `now` passed in.
package struct TokenBucket: Sendable {
    package let capacity: Double
    private let refillPerNanosecond: Double
    private var tokens: Double
    private var updatedAt: ContinuousClock.Instant

    package init(capacity: Int, per period: Duration = .seconds(60), now: ContinuousClock.Instant) {
        self.capacity = Double(capacity)
        refillPerNanosecond = Double(capacity) / Double(max(1, period.wholeNanoseconds))
        tokens = Double(capacity)
        updatedAt = now
    }

    /// Tokens available now (may be negative after a correction).
    package mutating func available(at now: ContinuousClock.Instant) -> Double {
        refill(at: now)
        return tokens
    }

    /// Takes `amount` if that many are available; otherwise takes nothing.
    package mutating func take(_ amount: Double, at now: ContinuousClock.Instant) -> Bool {
        refill(at: now)
        guard tokens >= amount else { return false }
        tokens -= amount
        return true
    }

    /// Adjusts after the fact (a real count replacing an estimate); may leave the bucket in debt.
    package mutating func adjust(by amount: Double, at now: ContinuousClock.Instant) {
        refill(at: now)
        tokens = min(capacity, tokens - amount)
    }

    /// How long until `amount` tokens are available.
    package mutating func wait(for amount: Double, at now: ContinuousClock.Instant) -> Duration {
        refill(at: now)
        guard tokens < amount else { return .zero }
        // A bucket that never refills (capacity 0) or a wait beyond a year is reported as a year.
        let year = 365 * 24 * 3600 * 1e9
        let nanoseconds = refillPerNanosecond > 0 ? min(year, ((amount - tokens) / refillPerNanosecond).rounded(.up)) : year
        return .nanoseconds(Int64(saturating: nanoseconds))
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        guard now > updatedAt else { return }
        let elapsed = Double((now - updatedAt).wholeNanoseconds)
        tokens = min(capacity, tokens + elapsed * refillPerNanosecond)
        updatedAt = now
    }
}
