import NIOCore
import Synchronization

/// A connection's requests, from its assembler on the event loop to the connection's task, in order.
///
/// Lighter than an `AsyncStream`: one lock and, when the task already waits, one resumption per request. The
/// task's cancellation is watched once for the whole connection (it calls ``cancel()``), not once per request.
final class InboundRequestQueue: Sendable {
    private struct State {
        var queued = CircularBuffer<InboundHTTPRequest>(initialCapacity: 2)
        var waiter: UnsafeContinuation<InboundHTTPRequest?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Hands `request` to the waiting task, or queues it; dropped once the queue is finished.
    func yield(_ request: InboundHTTPRequest) {
        let waiter = state.withLock { state -> UnsafeContinuation<InboundHTTPRequest?, Never>? in
            guard !state.finished else { return nil }
            guard let waiter = state.waiter else {
                state.queued.append(request)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: request)
    }

    /// Ends the requests (the connection closed): the task still gets those queued, then nil.
    func finish() {
        end(discardingQueued: false)
    }

    /// Ends the requests at once (the task was cancelled): those queued are dropped.
    func cancel() {
        end(discardingQueued: true)
    }

    private func end(discardingQueued: Bool) {
        let waiter = state.withLock { state -> UnsafeContinuation<InboundHTTPRequest?, Never>? in
            state.finished = true
            if discardingQueued { state.queued.removeAll() }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Whether the connection's task waits for a request.
    var taskIsWaiting: Bool {
        state.withLock { $0.waiter != nil }
    }

    /// The next request; nil once the queue is finished and drained. One task reads it.
    func next() async -> InboundHTTPRequest? {
        if let ready = poll() { return ready }
        return await withUnsafeContinuation { continuation in
            let ready = state.withLock { state -> InboundHTTPRequest?? in
                if let polled = Self.poll(&state) { return polled }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// A request queued, or nil (as `.some(nil)`) when finished and drained; `nil` when the task must wait.
    private func poll() -> InboundHTTPRequest?? {
        state.withLock { Self.poll(&$0) }
    }

    private static func poll(_ state: inout State) -> InboundHTTPRequest?? {
        if let request = state.queued.popFirst() { return .some(request) }
        return state.finished ? .some(nil) : nil
    }
}
