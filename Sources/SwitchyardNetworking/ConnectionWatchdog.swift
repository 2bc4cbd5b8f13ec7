package import NIOCore

/// One connection's timer, on the connection's event loop: its owner moves the deadline as often as it likes,
/// and only a deadline earlier than the timer's next firing schedules anew.
///
/// A connection re-arms its timeouts on every request; cancelling and scheduling an event-loop task each time
/// costs allocations on the hot path. Here a firing that finds the deadline moved later simply waits again, so
/// on a busy keep-alive connection the loop schedules about once per timeout period instead of per request.
package final class ConnectionWatchdog {
    private let loop: any EventLoop
    private var expired: (() -> Void)?
    private var deadline: NIODeadline?
    private var firing: (at: NIODeadline, task: Scheduled<Void>)?

    /// `expired` runs on the loop when a deadline passes. It may hold its owner strongly (a weak reference would
    /// slow every retain of the owner): ``stop()`` lets go of it, and the owner calls it when its connection goes.
    package init(on loop: any EventLoop, expired: @escaping () -> Void) {
        self.loop = loop
        self.expired = expired
    }

    /// Calls `expired` once `deadline` passes, unless it is moved or cleared first.
    package func arm(at deadline: NIODeadline) {
        self.deadline = deadline
        if let firing, firing.at <= deadline { return }
        firing?.task.cancel()
        schedule(at: deadline)
    }

    /// Clears the deadline; a pending firing finds nothing to do.
    package func disarm() {
        deadline = nil
    }

    /// Clears the deadline and cancels the pending firing: for a connection that is going away.
    package func stop() {
        deadline = nil
        expired = nil
        firing?.task.cancel()
        firing = nil
    }

    private func schedule(at time: NIODeadline) {
        let task = loop.assumeIsolated().scheduleTask(deadline: time) { () -> Void in self.fire() }
        firing = (time, task)
    }

    private func fire() {
        firing = nil
        guard let deadline else { return }
        if deadline <= .now() {
            self.deadline = nil
            expired?()
        } else {
            schedule(at: deadline)
        }
    }
}
