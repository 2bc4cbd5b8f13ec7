import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import SwitchyardCore
import SwitchyardNetworking

/// The end of a pooled connection: writes the exchange's request, hands its answer over as it is read, and
/// returns the connection to the pool when the answer ended and both sides keep it alive.
final class UpstreamConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let origin: UpstreamOrigin
    var idleSince = NIODeadline.now()
    private let pool: UpstreamConnectionPool
    private var context: ChannelHandlerContext?
    private var exchange: UpstreamExchange?
    private var reused = false
    private var headTimeout = TimeAmount.zero
    private var keepAlive = true
    private var lastRead = NIODeadline.now()
    /// Whether the head has arrived: the watchdog then watches for silence instead of the head timeout.
    private var receivingBody = false
    private var watchdog: ConnectionWatchdog?

    init(pool: UpstreamConnectionPool, origin: UpstreamOrigin) {
        self.pool = pool
        self.origin = origin
    }

    var isReusable: Bool {
        exchange == nil && context?.channel.isActive == true
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        watchdog = ConnectionWatchdog(on: context.eventLoop) { self.deadlinePassed() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watchdog?.stop()
        self.context = nil
    }

    func start(_ exchange: UpstreamExchange, headTimeout: TimeAmount, reused: Bool) {
        guard let context else {
            // The connection went away as it was handed over: a new one carries the exchange.
            pool.connect(exchange, headTimeout: headTimeout)
            return
        }
        guard exchange.attach(context.channel) else {
            // Cancelled while the connection was found: it is still good for the next one.
            pool.release(self)
            return
        }
        self.exchange = exchange
        self.reused = reused
        self.headTimeout = headTimeout
        keepAlive = true
        context.write(wrapOutboundOut(.head(EncodedRequestWriter.head(for: exchange.method))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(exchange.wire))), promise: nil)
        receivingBody = false
        watchdog?.arm(at: .now() + headTimeout)
    }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            // Informational answers (100 Continue) precede the real one.
            if (100..<200).contains(head.status.code) { return }
            // Only a clean, successful exchange leaves the connection reusable: an error may come before the
            // upstream read the whole request.
            keepAlive = head.isKeepAlive && (200..<300).contains(head.status.code)
            lastRead = .now()
            receivingBody = true
            if let limit = pool.idleReadTimeout { watchdog?.arm(at: lastRead + limit) } else { watchdog?.disarm() }
            exchange.receivedHead(head)
        case .body(let bytes):
            lastRead = .now()
            exchange.receivedBody(bytes)
        case .end:
            watchdog?.disarm()
            self.exchange = nil
            exchange.receivedEnd()
            if keepAlive, context.channel.isActive {
                pool.release(self)
            } else {
                context.close(promise: nil)
            }
        }
    }

    /// Holds back reading while the reader has more buffered than it should.
    func read(context: ChannelHandlerContext) {
        if let exchange, exchange.shouldPauseReading() { return }
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog?.stop()
        if let exchange {
            self.exchange = nil
            if reused, exchange.detachForRetry() {
                // The upstream closed an idle connection as it was reused: nothing was answered, so send again.
                pool.connect(exchange, headTimeout: headTimeout)
            } else {
                exchange.fail(UpstreamTransportError.connectionFailed("the upstream closed the connection"))
            }
        }
        pool.remove(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        exchange?.fail(UpstreamTransportError.connectionFailed("\(error)"))
        exchange = nil
        context.close(promise: nil)
    }

    private func timedOut(_ error: UpstreamTransportError) {
        guard let exchange else { return }
        self.exchange = nil
        exchange.fail(error)
        context?.close(promise: nil)
    }

    /// Before the head: the head timeout passed. After it: the upstream may have stayed silent past the idle read
    /// timeout (reads since, or a paused read, which is not silence, push the deadline on).
    private func deadlinePassed() {
        guard let exchange else { return }
        guard receivingBody, let limit = pool.idleReadTimeout else {
            timedOut(UpstreamTransportError.headTimeout)
            return
        }
        if exchange.isReadingPaused { lastRead = .now() }
        if NIODeadline.now() - lastRead >= limit {
            timedOut(UpstreamTransportError.readTimeout)
        } else {
            watchdog?.arm(at: lastRead + limit)
        }
    }
}
