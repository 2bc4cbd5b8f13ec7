import NIOCore

/// Gathers the flushes a connection makes within one event-loop job into one, so stream events that arrived
/// together leave in one write instead of a system call, and a wake-up of the client, each.
///
/// Nothing is held back: the gathered flush runs as soon as the job that wrote ends, before the loop waits for
/// anything else. A close flushes first, so nothing written before it is lost.
final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ResponsePart
    typealias OutboundOut = ResponsePart

    private var flushPending = false

    func flush(context: ChannelHandlerContext) {
        guard !flushPending else { return }
        flushPending = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushIfPending(context: context)
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        flushIfPending(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        flushIfPending(context: context)
    }

    private func flushIfPending(context: ChannelHandlerContext) {
        guard flushPending else { return }
        flushPending = false
        context.flush()
    }
}
