import HummingbirdCore
import Logging
import NIOCore

/// Runs each connection's work on the event loop that owns its socket.
///
/// Without it a request hops between the event loop (which reads and writes the socket) and Swift's global
/// concurrent executor (which runs the handler) several times, and at moderate load each hop wakes a sleeping
/// thread. Preferring the connection's event loop as the task executor keeps a request on one thread from its
/// first byte to its last; the upstream transport then takes a connection of that same loop.
struct EventLoopBoundChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}

/// An event loop as a Swift concurrency task executor: jobs run on the loop's thread, in its task queue.
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
