/// The time an ``AttemptLoop`` reads and waits on. Target monitors and deadlines count in continuous-clock
/// instants; this maps another clock onto them (a test's manual clock), so backoff, hedging and the deadline follow
/// that clock while the state machines keep their `now` parameters.
struct AttemptClock: Sendable {
    private let read: @Sendable () -> ContinuousClock.Instant
    private let pause: @Sendable (Duration) async throws -> Void

    /// The continuous clock itself: what production uses.
    static let continuous = AttemptClock(read: { ContinuousClock.now }, pause: { try await Task.sleep(for: $0) })

    private init(read: @escaping @Sendable () -> ContinuousClock.Instant, pause: @escaping @Sendable (Duration) async throws -> Void) {
        self.read = read
        self.pause = pause
    }

    /// `clock`, with its instants mapped onto the continuous clock from now on: time passes as `clock` says.
    init(_ clock: some Clock<Duration>) {
        if clock is ContinuousClock {
            self = .continuous
            return
        }
        let origin = ContinuousClock.now
        let start = clock.now
        read = { origin + start.duration(to: clock.now) }
        pause = { duration in try await clock.sleep(for: duration) }
    }

    /// Now, as `clock` tells it.
    var now: ContinuousClock.Instant { read() }

    /// Waits `duration` on `clock`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws {
        try await pause(duration)
    }
}
