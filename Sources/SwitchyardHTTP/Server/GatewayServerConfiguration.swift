import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

extension HTTPServerBuilder {
    /// HTTP/1.1 with keep-alive and the gateway's request read deadlines; each connection's requests run on the
    /// event loop that owns the connection, and the writes of one event-loop job leave in one flush.
    public static func gateway(_ settings: ServerSettings) -> HTTPServerBuilder {
        let head = TimeAmount.nanoseconds(settings.requestHeadTimeout.wholeNanoseconds)
        let body = TimeAmount.nanoseconds(settings.requestBodyTimeout.wholeNanoseconds)
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ClientConnectionGuard(headTimeout: head, bodyTimeout: body), FlushCoalescingHandler()])
        return HTTPServerBuilder { responder in
            EventLoopBoundChannel(base: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
