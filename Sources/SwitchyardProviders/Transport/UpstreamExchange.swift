import NIOCore
import NIOHTTP1
import Synchronization

/// One request and its answer on a ``PooledHTTP1Transport`` connection: what the waiting task and the connection
/// share. The task waits for the head, then reads the body; the connection delivers both. Body bytes queue here
/// up to a high-water mark, past which the connection stops reading from the socket until the reader catches up.
final class UpstreamExchange: Sendable {
    let method: HTTPMethod
    /// The whole request as sent: see ``UpstreamRequestWire``.
    let wire: ByteBuffer
    let origin: UpstreamOrigin

    private struct State {
        var headWaiter: UnsafeContinuation<UpstreamHTTPResponse, any Error>?
        var bodyWaiter: UnsafeContinuation<ByteBuffer?, any Error>?
        var buffered = CircularBuffer<ByteBuffer>()
        var bufferedBytes = 0
        var receivedHead = false
        var ended = false
        var failure: (any Error)?
        var channel: (any Channel)?
        /// Whether the connection held back a read because too much is buffered.
        var readingPaused = false

        var isOver: Bool { ended || failure != nil }
    }

    private let state = Mutex(State())

    /// Buffered body bytes past which the connection stops reading, and below which it reads again.
    private static let highWater = 256 << 10
    private static let lowWater = 64 << 10

    init(method: HTTPMethod, wire: ByteBuffer, origin: UpstreamOrigin) {
        self.method = method
        self.wire = wire
        self.origin = origin
    }

    // MARK: The waiting task's side

    /// Registers the task waiting for the response head; fails it at once if the exchange already failed.
    func awaitHead(_ continuation: UnsafeContinuation<UpstreamHTTPResponse, any Error>) {
        let failure = state.withLock { state -> (any Error)? in
            if let failure = state.failure { return failure }
            state.headWaiter = continuation
            return nil
        }
        if let failure { continuation.resume(throwing: failure) }
    }

    private enum Poll {
        case bytes(ByteBuffer, resumeReading: (any Channel)?)
        case end
        case failure(any Error)
        case wait
    }

    /// The next part of the body; nil at its end.
    func next() async throws -> ByteBuffer? {
        switch poll() {
        case .bytes(let bytes, let channel):
            channel?.read()
            return bytes
        case .end:
            return nil
        case .failure(let error):
            throw error
        case .wait:
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { continuation in
                    let ready = state.withLock { state -> Poll in
                        let polled = Self.poll(&state)
                        if case .wait = polled { state.bodyWaiter = continuation }
                        return polled
                    }
                    switch ready {
                    case .bytes(let bytes, let channel):
                        channel?.read()
                        continuation.resume(returning: bytes)
                    case .end: continuation.resume(returning: nil)
                    case .failure(let error): continuation.resume(throwing: error)
                    case .wait: break
                    }
                }
            } onCancel: {
                fail(CancellationError())
            }
        }
    }

    private func poll() -> Poll {
        state.withLock { Self.poll(&$0) }
    }

    private static func poll(_ state: inout State) -> Poll {
        if let bytes = state.buffered.popFirst() {
            state.bufferedBytes -= bytes.readableBytes
            guard state.readingPaused, state.bufferedBytes < lowWater else { return .bytes(bytes, resumeReading: nil) }
            state.readingPaused = false
            return .bytes(bytes, resumeReading: state.channel)
        }
        if let failure = state.failure { return .failure(failure) }
        return state.ended ? .end : .wait
    }

    /// The reader dropped the body before its end: the connection cannot be reused, so it is closed. Nothing
    /// happens once the exchange is over (its body read to the end, as nearly always).
    func abandon() {
        guard !state.withLock({ $0.isOver }) else { return }
        fail(CancellationError())
    }

    // MARK: The connection's side

    /// Binds the exchange to the connection carrying it; false if it already ended (cancelled while connecting).
    func attach(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.isOver else { return false }
            state.channel = channel
            return true
        }
    }

    /// Unbinds the exchange from a reused connection that closed before answering, so it can be sent again on a
    /// new one; false when it must fail instead (it was answered in part, or is over).
    func detachForRetry() -> Bool {
        state.withLock { state in
            guard !state.isOver, !state.receivedHead else { return false }
            state.channel = nil
            return true
        }
    }

    func receivedHead(_ head: HTTPResponseHead) {
        let waiter = state.withLock { state in
            state.receivedHead = true
            defer { state.headWaiter = nil }
            return state.headWaiter
        }
        waiter?.resume(
            returning: UpstreamHTTPResponse(status: head.status, headers: head.headers, body: .init(source: .pooled(PooledResponseBody(self)))))
    }

    /// Hands body bytes to the waiting reader, or queues them for it.
    func receivedBody(_ bytes: ByteBuffer) {
        let waiter = state.withLock { state -> UnsafeContinuation<ByteBuffer?, any Error>? in
            guard !state.isOver else { return nil }
            if let waiter = state.bodyWaiter {
                state.bodyWaiter = nil
                return waiter
            }
            state.buffered.append(bytes)
            state.bufferedBytes += bytes.readableBytes
            return nil
        }
        waiter?.resume(returning: bytes)
    }

    /// Whether the connection should hold back its next read; if so, the reader asks for it once it caught up.
    func shouldPauseReading() -> Bool {
        state.withLock { state in
            guard state.bufferedBytes > Self.highWater, !state.isOver else { return false }
            state.readingPaused = true
            return true
        }
    }

    var isReadingPaused: Bool {
        state.withLock { $0.readingPaused }
    }

    func receivedEnd() {
        let waiter = state.withLock { state -> UnsafeContinuation<ByteBuffer?, any Error>? in
            guard !state.isOver else { return nil }
            state.ended = true
            defer { state.bodyWaiter = nil }
            return state.bodyWaiter
        }
        waiter?.resume(returning: nil)
    }

    /// Ends the exchange with `error`: the waiting task gets it, and the connection, which is left in the middle
    /// of an answer, is closed. Nothing happens once the exchange is over.
    func fail(_ error: any Error) {
        let (headWaiter, bodyWaiter, channel) = state.withLock { state -> (UnsafeContinuation<UpstreamHTTPResponse, any Error>?, UnsafeContinuation<ByteBuffer?, any Error>?, (any Channel)?) in
            guard !state.isOver else { return (nil, nil, nil) }
            state.failure = error
            defer {
                state.headWaiter = nil
                state.bodyWaiter = nil
                state.channel = nil
            }
            return (state.headWaiter, state.bodyWaiter, state.channel)
        }
        channel?.close(promise: nil)
        headWaiter?.resume(throwing: error)
        bodyWaiter?.resume(throwing: error)
    }
}
