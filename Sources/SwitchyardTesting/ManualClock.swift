import Synchronization

/// A clock that moves only when a test advances it. Code under test sleeps on it as on any clock; the test sees
/// how many sleepers wait and until when, and moves time past their deadlines, so timing logic runs without a
/// real wait.
package final class ManualClock: Clock, Sendable {
    package typealias Duration = Swift.Duration

    /// A point on the clock: the time advanced since the clock was made.
    package struct Instant: InstantProtocol, Sendable {
        package typealias Duration = Swift.Duration

        /// The time since the clock was made.
        package var offset: Swift.Duration

        package init(offset: Swift.Duration) {
            self.offset = offset
        }

        package func advanced(by duration: Swift.Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        package func duration(to other: Instant) -> Swift.Duration {
            other.offset - offset
        }

        package static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }
    }

    private struct Sleeper: Sendable {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// A test waiting for `count` sleepers.
    private struct Watcher: Sendable {
        var count: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State: Sendable {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var watchers: [Int: Watcher] = [:]

        /// Takes out the watchers whose count of sleepers is reached.
        mutating func satisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
            let satisfied = watchers.filter { $0.value.count <= sleepers.count }
            for id in satisfied.keys { watchers[id] = nil }
            return satisfied.values.map(\.continuation)
        }
    }

    private let state = Mutex(State())

    package init() {}

    package var now: Instant { state.withLock { $0.now } }

    /// Any duration can be represented: the clock moves exactly as far as it is told.
    package var minimumResolution: Swift.Duration { .zero }

    /// Suspends until ``advance(by:)`` moves the clock to `deadline` or past it; returns at once when it is there
    /// already. Cancellation ends the sleep with `CancellationError`, as `Task.sleep` does.
    package func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Decided under the lock the cancellation handler takes too, so a cancellation is never missed.
                let (resume, watchers): (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
                    if Task.isCancelled { return (.failure(CancellationError()), []) }
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return (nil, state.satisfiedWatchers())
                }
                for watcher in watchers { watcher.resume() }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and wakes, in deadline order, every sleeper whose deadline it reached.
    package func advance(by duration: Swift.Duration) {
        precondition(duration >= .zero, "a clock does not go back")
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let reached = state.sleepers.filter { $0.value.deadline <= now }.sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in reached { state.sleepers[id] = nil }
            return reached.map { $0.value.continuation }
        }
        for continuation in due { continuation.resume() }
    }

    /// How many tasks are sleeping on the clock now.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// When each sleeping task wakes, earliest first.
    package var sleeperDeadlines: [Instant] { state.withLock { $0.sleepers.values.map(\.deadline) }.sorted() }

    /// Suspends until at least `count` tasks sleep on the clock: the point where a test may advance it. Returns at
    /// once when cancelled.
    package func waitForSleepers(_ count: Int = 1) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if Task.isCancelled || state.sleepers.count >= count { return true }
                    state.watchers[id] = Watcher(count: count, continuation: continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { $0.watchers.removeValue(forKey: id) }
            watcher?.continuation.resume()
        }
    }
}
