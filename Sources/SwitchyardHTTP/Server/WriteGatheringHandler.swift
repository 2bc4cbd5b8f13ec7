import HTTPTypes
import NIOCore

/// Gathers what a connection writes within one event-loop job: body parts into one buffer, and flushes into one
/// flush. Stream events that arrived together leave as one chunk in one write, instead of a chunk, a pass through
/// the pipeline, a system call and a wake-up of the client each.
///
/// Nothing is held back: what was gathered leaves as soon as the job that wrote it ends, before the loop waits
/// for anything else. The first part of a streamed body (one without a `content-length`) does not wait even for
/// that: it leaves with the head at once, so a stream's first event reaches the client before the events that
/// came with it are relayed. A close flushes first, so nothing written before it is lost.
///
/// A response that has ended waits for its job's end too: under load, the flushes of the jobs a loop has queued
/// then run after them, back to back. Flushing an ended response at once cost 9% more CPU per request at
/// saturation, for no lower latency at 200 requests per second.
final class WriteGatheringHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ResponsePart
    typealias OutboundOut = ResponsePart

    private var flushPending = false
    /// Body bytes written since they were last passed on; the first part is kept as it is, so a whole body
    /// written at once is never copied.
    private var gathered: ByteBuffer?
    /// Whether `gathered` is a buffer of ours, with room to append to, rather than the first part as written.
    private var gatheredIsOurs = false
    /// Whether a streamed response's head was written and its body's first part not yet.
    private var awaitingFirstStreamedPart = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch part {
        case .body where awaitingFirstStreamedPart:
            awaitingFirstStreamedPart = false
            passGathered(context: context)
            context.write(data, promise: promise)
            context.flush()
        case .body(let bytes) where promise == nil:
            gather(bytes, allocator: context.channel.allocator)
        case .head(let head, _, let bodyless):
            awaitingFirstStreamedPart = !bodyless && head.headerFields[.contentLength] == nil
            fallthrough
        default:
            passGathered(context: context)
            context.write(data, promise: promise)
        }
    }

    func flush(context: ChannelHandlerContext) {
        guard !flushPending else { return }
        flushPending = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushIfPending(context: context)
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        flushNow(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        flushNow(context: context)
    }

    private func flushIfPending(context: ChannelHandlerContext) {
        if flushPending { flushNow(context: context) }
    }

    private func flushNow(context: ChannelHandlerContext) {
        flushPending = false
        passGathered(context: context)
        context.flush()
    }

    private func gather(_ bytes: ByteBuffer, allocator: ByteBufferAllocator) {
        guard var buffer = gathered else {
            gathered = bytes
            return
        }
        gathered = nil
        if !gatheredIsOurs {
            // The first part is someone else's buffer, sized for itself: gather into one of ours, with room.
            var own = allocator.buffer(capacity: max(1024, 4 * (buffer.readableBytes + bytes.readableBytes)))
            own.writeImmutableBuffer(buffer)
            buffer = own
            gatheredIsOurs = true
        }
        buffer.writeImmutableBuffer(bytes)
        gathered = buffer
    }

    private func passGathered(context: ChannelHandlerContext) {
        guard let buffer = gathered else { return }
        gathered = nil
        gatheredIsOurs = false
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
    }
}
