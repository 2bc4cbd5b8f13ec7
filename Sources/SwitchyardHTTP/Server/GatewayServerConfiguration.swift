import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

extension HTTPServerBuilder {
    /// HTTP/1.1 with keep-alive and the gateway's request read deadlines.
    public static func gateway(_ settings: ServerSettings) -> HTTPServerBuilder {
        let head = TimeAmount.nanoseconds(settings.requestHeadTimeout.wholeNanoseconds)
        let body = TimeAmount.nanoseconds(settings.requestBodyTimeout.wholeNanoseconds)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [ClientConnectionGuard(headTimeout: head, bodyTimeout: body)]))
    }
}
