import Synchronization

/// Adds up the time a request spends waiting on upstreams. Shared by the HTTP layer, which reports
/// `x-switchyard-overhead-ms` as total time minus this, and the adapters, which time their waits.
public final class UpstreamStopwatch: Sendable {
    private let waitedNanoseconds = Atomic<Int64>(0)

    public init() {}

    /// The total time recorded so far.
    public var waited: Duration { .nanoseconds(waitedNanoseconds.load(ordering: .relaxed)) }

    /// Records `duration` of waiting.
    public func add(_ duration: Duration) {
        waitedNanoseconds.add(duration.wholeNanoseconds, ordering: .relaxed)
    }

    /// Runs `operation`, counting its duration as time spent waiting on an upstream.
    public func measure<T>(_ operation: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { add(ContinuousClock.now - start) }
        return try await operation()
    }
}
