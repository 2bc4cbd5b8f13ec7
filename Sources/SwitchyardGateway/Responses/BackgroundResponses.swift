import ServiceLifecycle
import Synchronization
package import SwitchyardWire

/// The events of one response as they happen, for every reader: a reader that joins late gets every earlier
/// event first, then the rest as they come.
package final class ResponseEventLog: Sendable {
    private struct State {
        var events: [JSONValue] = []
        var finished = false
        var readers: [Int: AsyncStream<JSONValue>.Continuation] = [:]
        var nextReader = 0
    }

    private let state = Mutex(State())

    package init() {}

    package func publish(_ event: JSONValue) {
        state.withLock { state in
            state.events.append(event)
            for reader in state.readers.values { reader.yield(event) }
        }
    }

    package func finish() {
        // Finished outside the lock: a finished reader's termination handler takes the lock again.
        let readers = state.withLock { state in
            state.finished = true
            defer { state.readers = [:] }
            return Array(state.readers.values)
        }
        for reader in readers { reader.finish() }
    }

    /// Every event so far, then each new one, until the response ends.
    package func read() -> AsyncStream<JSONValue> {
        let (stream, continuation) = AsyncStream<JSONValue>.makeStream()
        state.withLock { state in
            for event in state.events { continuation.yield(event) }
            if state.finished {
                continuation.finish()
                return
            }
            let reader = state.nextReader
            state.nextReader += 1
            state.readers[reader] = continuation
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.readers.removeValue(forKey: reader) }
            }
        }
        return stream
    }
}

/// Runs background responses in its own task group, apart from the requests that started them: a client that
/// leaves does not stop one; a cancel does. On shutdown no new work is taken, and running work may finish within
/// the grace period.
package final class BackgroundResponses: Service {
    private struct Job: Sendable {
        let id: String
        let log: ResponseEventLog
        let cancelled: AsyncStream<Void>
        let cancelledElsewhere: (@Sendable () async -> Bool)?
        let work: @Sendable (ResponseEventLog) async -> Void
    }

    /// How often a running job asks whether another replica cancelled it.
    let watchInterval: Duration

    private struct Running {
        let log: ResponseEventLog
        let cancel: AsyncStream<Void>.Continuation
    }

    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation
    private let running = Mutex<[String: Running]>([:])

    package init(watchInterval: Duration = .seconds(1)) {
        self.watchInterval = watchInterval
        (jobs, submit) = AsyncStream<Job>.makeStream()
    }

    /// Starts `work` for response `id`; its events go to the returned log. `cancelledElsewhere`, asked every
    /// `watchInterval`, stops the work when it says another replica cancelled it.
    @discardableResult
    package func start(
        id: String, cancelledElsewhere: (@Sendable () async -> Bool)? = nil, work: @escaping @Sendable (ResponseEventLog) async -> Void
    ) -> ResponseEventLog {
        let log = ResponseEventLog()
        let (cancelled, cancel) = AsyncStream<Void>.makeStream()
        running.withLock { $0[id] = Running(log: log, cancel: cancel) }
        let job = Job(id: id, log: log, cancelled: cancelled, cancelledElsewhere: cancelledElsewhere, work: work)
        if case .terminated = submit.yield(job) {
            running.withLock { _ = $0.removeValue(forKey: id) }
            log.finish()
        }
        return log
    }

    /// Cancels the running response `id`; returns whether it was running here.
    @discardableResult
    package func cancel(id: String) -> Bool {
        guard let job = running.withLock({ $0[id] }) else { return false }
        job.cancel.finish()
        return true
    }

    /// The events of response `id` if it is running here.
    package func events(of id: String) -> ResponseEventLog? {
        running.withLock { $0[id]?.log }
    }

    package func run() async throws {
        let submit = self.submit
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    group.addTask { await self.execute(job) }
                }
            }
        } onGracefulShutdown: {
            submit.finish()
        }
    }

    /// Runs a job until it ends or is cancelled.
    private func execute(_ job: Job) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await job.work(job.log) }
            group.addTask {
                for await _ in job.cancelled {}
            }
            if let cancelledElsewhere = job.cancelledElsewhere {
                let interval = watchInterval
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil {
                        if await cancelledElsewhere() { return }
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
        running.withLock { _ = $0.removeValue(forKey: job.id) }
        job.log.finish()
    }
}
