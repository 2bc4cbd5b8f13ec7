import NIOCore

/// An event loop as a Swift concurrency task executor: jobs run on the loop's thread, in its task queue.
///
/// A connection's task prefers its socket's event loop, so a request stays on one thread from its first byte to
/// its last instead of hopping to Swift's global executor and back (at moderate load each hop wakes a sleeping
/// thread); the upstream transport then takes a connection of that same loop.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
