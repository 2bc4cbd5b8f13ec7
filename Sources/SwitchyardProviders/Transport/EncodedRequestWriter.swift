import NIOCore
import NIOHTTP1

/// The outbound end of an upstream connection: writes a request's encoded bytes (its `body` part, see
/// ``UpstreamRequestWire``) as they are.
///
/// The `head` part carries only the method, for NIO's response decoder, which reads it to know whether the
/// answer has a body; nothing of it is written.
final class EncodedRequestWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = IOData

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(let bytes):
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .head, .end:
            promise?.succeed()
        }
    }

    /// The head part for a request by `method`: the common ones made once.
    static func head(for method: HTTPMethod) -> HTTPRequestHead {
        switch method {
        case .POST: postHead
        case .GET: getHead
        default: HTTPRequestHead(version: .http1_1, method: method, uri: "/")
        }
    }

    private static let postHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
    private static let getHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
}
