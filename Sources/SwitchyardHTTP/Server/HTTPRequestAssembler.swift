import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import SwitchyardCore
import SwitchyardNetworking

/// A request read whole from a connection, with what answering it on HTTP/1 needs.
struct InboundHTTPRequest: Sendable {
    var request: Request
    /// The request's body, the same bytes as `request`'s, for routes to read without iterating it.
    var body: ByteBuffer
    var version: HTTPVersion
    /// Whether the connection stays open after the response.
    var keepAlive: Bool
    /// Whether the response is sent without its body (the request is a `HEAD`).
    var bodyless: Bool
}

/// Reads each request of a connection whole, head and body, and hands it to the connection's task in one piece;
/// carries the task's response back out.
///
/// Gathering the body here, on the event loop, lets a request reach its handler with one task wake-up instead of
/// one per part. A body is kept up to one byte past `maximumBody`, so the handler sees it is too large and answers
/// 413 without the gateway holding more; a body declared too large is not read at all. After such a request the
/// connection closes, its unread rest discarded.
///
/// Requests are answered in order by the connection's one task. A client that pipelines more than
/// `maximumQueued` requests stops being read until the answers catch up; one that sends a request and waits, as
/// clients do, never has its reads held, so the socket's interest in reading never changes. A graceful shutdown
/// closes an idle connection at once and a busy one after its last queued response.
final class HTTPRequestAssembler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ResponsePart
    typealias OutboundOut = ResponsePart

    /// Requests read but not yet answered beyond which reading pauses.
    static let maximumQueued = 4

    private enum State {
        case idle
        case reading(head: HTTPRequestHead, request: HTTPRequest, body: ByteBuffer?)
        /// The request went to its handler before its body ended; the rest of the body is dropped.
        case discarding
    }

    /// Bodies larger than this are read only once the request's head is admitted (its key accepted); smaller ones
    /// cost less than the check.
    static let bodyCheckedAbove = 64 << 10

    private let requests: InboundRequestQueue
    private let maximumBody: Int
    /// Whether a request's head lets its body be read: a request whose key is refused is handed on without its
    /// body, answered 401 without the gateway buffering up to `maximumBody` for it.
    private let admitsBody: (HTTPRequestHead) -> Bool
    /// The body bytes all connections may hold; a request that would go past it is answered 503.
    private let bodyBudget: BodyBudget?
    /// How long a client may leave the connection unwritable (not reading) before it is closed.
    private let writeTimeout: TimeAmount
    private var stallWatchdog: ConnectionWatchdog?
    /// Body bytes taken from the budget: by the request being read, and by each request handed on and unanswered.
    private var readingBytes = 0
    private var handedBytes: [Int] = []
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var writabilityWaiters: [EventLoopPromise<Void>] = []
    /// Requests handed to the connection's task whose responses have not ended.
    private var unanswered = 0
    /// A read the channel asked for while too many requests were queued, passed on once they drain.
    private var heldRead = false
    /// Set by a graceful shutdown: the connection closes once nothing is unanswered.
    private var quiescing = false

    init(
        requests: InboundRequestQueue, maximumBody: Int, admitsBody: @escaping (HTTPRequestHead) -> Bool = { _ in true },
        bodyBudget: BodyBudget? = nil, writeTimeout: TimeAmount = .seconds(60)
    ) {
        self.requests = requests
        self.maximumBody = maximumBody
        self.admitsBody = admitsBody
        self.bodyBudget = bodyBudget
        self.writeTimeout = writeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        stallWatchdog = ConnectionWatchdog(on: context.eventLoop) { self.writeStalled() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        stallWatchdog?.stop()
        failWaiters()
        releaseBodies()
        requests.close()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard let request = Self.request(from: head) else {
                respondBadRequest(context: context)
                return
            }
            let declared = head.headers.first(name: "content-length").flatMap(Int.init)
            if let declared, declared > maximumBody {
                dispatch(head: head, request: request, body: nil)
                return
            }
            // A large (or unannounced) body is read only for a request whose key is accepted; so is every body once
            // half the server's body budget is in use, so clients without a key cannot fill it with small ones.
            let checked =
                declared.map { $0 > Self.bodyCheckedAbove } ?? head.headers.contains(name: "transfer-encoding")
                || (bodyBudget?.isUnderPressure ?? false)
            if checked, !admitsBody(head) {
                dispatch(head: head, request: request, body: nil, refusal: .unauthenticated)
                return
            }
            // A client that asks before sending its body (curl does above 1 MB) is told to go on at once, rather
            // than left to wait out its own timeout.
            if head.version.minor > 0, let expect = head.headers.first(name: "expect"), expect.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue), version: head.version, bodyless: true)), promise: nil)
            }
            state = .reading(head: head, request: request, body: nil)
        case .body(let part):
            guard case .reading(let head, let request, var body) = state else { return }
            if let bodyBudget {
                guard bodyBudget.reserve(part.readableBytes) else {
                    // Answered by its route (503 in the client's dialect), its body unread.
                    bodyBudget.release(readingBytes)
                    readingBytes = 0
                    dispatch(head: head, request: request, body: nil, refusal: .busy)
                    return
                }
                readingBytes += part.readableBytes
            }
            state = .idle
            if body == nil {
                body = part
            } else {
                body!.writeImmutableBuffer(part)
            }
            if body!.readableBytes > maximumBody {
                dispatch(head: head, request: request, body: body!.getSlice(at: body!.readerIndex, length: maximumBody + 1))
            } else {
                state = .reading(head: head, request: request, body: body)
            }
        case .end:
            switch state {
            case .reading(let head, let request, let body):
                state = .idle
                hand(head: head, request: request, body: body, keepAlive: head.isKeepAlive)
            case .discarding:
                state = .idle
            case .idle:
                break
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallWatchdog?.disarm()
            let waiters = writabilityWaiters
            writabilityWaiters.removeAll()
            for waiter in waiters { waiter.succeed() }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stallWatchdog?.stop()
        failWaiters()
        releaseBodies()
        requests.close()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if unanswered > Self.maximumQueued {
            heldRead = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data) else { return }
        unanswered = max(0, unanswered - 1)
        if !handedBytes.isEmpty { bodyBudget?.release(handedBytes.removeFirst()) }
        if quiescing && unanswered == 0 {
            context.flush()
            context.close(promise: nil)
        } else if heldRead && unanswered <= Self.maximumQueued {
            heldRead = false
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescing = true
        if unanswered == 0, case .idle = state { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A request that cannot be parsed is answered 400 when no response is owed before it; otherwise the
        // connection closes once the responses owed have been written. Nothing more is read from it either way.
        guard error is HTTPParserError else {
            context.close(promise: nil)
            return
        }
        state = .discarding
        if unanswered == 0 {
            respondBadRequest(context: context)
        } else {
            quiescing = true
        }
    }

    // MARK: Writing, on the event loop

    /// Writes `part` towards the client; fails once the connection is closed.
    func write(_ part: ResponsePart, flush: Bool) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        // Through this handler's own `write`, so an ended response is counted.
        write(context: context, data: wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    /// Completes once the connection can take more without queueing (at once when it can now).
    func writable() -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        if context.channel.isWritable || !context.channel.isActive { return nil }
        let promise = context.eventLoop.makePromise(of: Void.self)
        if writabilityWaiters.isEmpty { stallWatchdog?.arm(at: .now() + writeTimeout) }
        writabilityWaiters.append(promise)
        return promise.futureResult
    }

    /// The client stopped reading for longer than the write timeout: the connection is closed, which ends the
    /// work done for it (its upstream call, concurrency slot and target lease).
    private func writeStalled() {
        failWaiters()
        context?.close(promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }

    // MARK: Private

    /// Hands a request to its handler before its body is read to the end; the connection closes after it.
    /// `refusal` tells the handler why the body was not read (it answers with that error when it reads the body).
    private func dispatch(head: HTTPRequestHead, request: HTTPRequest, body: ByteBuffer?, refusal: BodyRefusal? = nil) {
        state = .discarding
        var request = request
        if let refusal { request.headerFields[.bodyRefused] = refusal.rawValue }
        hand(head: head, request: request, body: body, keepAlive: false)
    }

    /// Hands a request to the connection's task.
    private func hand(head: HTTPRequestHead, request: HTTPRequest, body: ByteBuffer?, keepAlive: Bool) {
        unanswered += 1
        if bodyBudget != nil {
            handedBytes.append(readingBytes)
            readingBytes = 0
        }
        let body = body ?? ByteBuffer()
        requests.yield(
            InboundHTTPRequest(
                request: Request(head: request, body: RequestBody(buffer: body)), body: body, version: head.version, keepAlive: keepAlive,
                bodyless: head.method == .HEAD))
    }

    private func respondBadRequest(context: ChannelHandlerContext) {
        state = .discarding
        let response = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
        context.write(wrapOutboundOut(.head(response, version: .http1_1, bodyless: false)), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    /// Gives back every body byte this connection holds.
    private func releaseBodies() {
        bodyBudget?.release(readingBytes + handedBytes.reduce(0, +))
        readingBytes = 0
        handedBytes.removeAll()
    }

    private func failWaiters() {
        let waiters = writabilityWaiters
        writabilityWaiters.removeAll()
        for waiter in waiters { waiter.fail(ChannelError.ioOnClosedChannel) }
    }

    /// The HTTP request `head` carries; nil when its method or target cannot be represented.
    static func request(from head: HTTPRequestHead) -> HTTPRequest? {
        // Origin-form targets (`/path?query`), which is what clients send, need no parsing.
        guard head.uri.utf8.first == UInt8(ascii: "/") else { return try? HTTPRequest(head, secure: false, splitCookie: false) }
        guard let method = try? HTTPRequest.Method(head.method) else { return nil }
        return HTTPRequest(
            method: method, scheme: "http", authority: head.headers.first(name: "host"), path: head.uri,
            headerFields: HTTPFields(head.headers, splitCookie: false))
    }
}
