import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardNetworking

/// Closes connections whose client is too slow to send a request: the head must arrive within `headTimeout` of
/// the connection opening or the previous response ending, and the body within `bodyTimeout` of the head.
///
/// This is what defeats slow-loris clients, which trickle bytes just often enough to dodge an idle timeout.
/// While a response is being written (a stream may last minutes) no timer runs. A client that closes its side of
/// the connection is taken as gone, and the connection is closed.
final class ClientConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = ResponsePart
    typealias OutboundOut = ResponsePart

    private let headTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var watchdog: ConnectionWatchdog?
    /// Requests whose head arrived and whose response has not ended.
    private var unansweredRequests = 0
    private var readingBody = false

    init(headTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        watchdog = ConnectionWatchdog(on: context.eventLoop) { context.close(promise: nil) }
        if context.channel.isActive { arm(headTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(headTimeout)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unansweredRequests += 1
            readingBody = true
            arm(bodyTimeout)
        case .body:
            break
        case .end:
            readingBody = false
            watchdog?.disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unansweredRequests = max(0, unansweredRequests - 1)
            if unansweredRequests == 0 && !readingBody { arm(headTimeout) }
        }
        context.write(data, promise: promise)
    }

    /// A client that closes its side of the connection has left: nothing it asked for can reach it any more, so
    /// the connection is closed, which stops the work done for it (an upstream stream included).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog?.stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watchdog?.stop()
    }

    private func arm(_ timeout: TimeAmount) {
        watchdog?.arm(at: .now() + timeout)
    }
}
