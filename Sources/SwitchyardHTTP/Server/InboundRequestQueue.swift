import NIOCore
import Synchronization

/// A connection's requests, from its assembler on the event loop to the connection's task, in order.
///
/// Lighter than an `AsyncStream`: one lock and, when the task already waits, one resumption per request. The
/// task's cancellation is watched once for the whole connection (it calls ``close()``), not once per request.
final class InboundRequestQueue: Sendable {
    private struct State {
        var queued = CircularBuffer<InboundHTTPRequest>(initialCapacity: 2)
        var waiter: UnsafeContinuation<InboundHTTPRequest?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// Hands `request` to the waiting task, or queues it; dropped once the queue is closed.
    func yield(_ request: InboundHTTPRequest) {
        let waiter = state.withLock { state -> UnsafeContinuation<InboundHTTPRequest?, Never>? in
            guard !state.closed else { return nil }
            guard let waiter = state.waiter else {
                state.queued.append(request)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: request)
    }

    /// Ends the requests: the connection closed, or its task was cancelled (its client left during a stream, or the
    /// server is stopping). Those queued are dropped, as no answer to them could reach the client (and a request
    /// pipelined after one that closes the connection must not be processed), and so are any yielded later; a
    /// waiting task gets nil.
    func close() {
        let waiter = state.withLock { state -> UnsafeContinuation<InboundHTTPRequest?, Never>? in
            state.closed = true
            state.queued.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Whether the connection's task waits for a request.
    var taskIsWaiting: Bool {
        state.withLock { $0.waiter != nil }
    }

    /// The next request; nil once the queue is closed. One task reads it.
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

    /// A request queued, or nil (as `.some(nil)`) when closed; `nil` when the task must wait.
    private func poll() -> InboundHTTPRequest?? {
        state.withLock { Self.poll(&$0) }
    }

    private static func poll(_ state: inout State) -> InboundHTTPRequest?? {
        if let request = state.queued.popFirst() { return .some(request) }
        return state.closed ? .some(nil) : nil
    }
}
