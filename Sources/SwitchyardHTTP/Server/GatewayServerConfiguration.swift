import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

extension HTTPServerBuilder {
    /// HTTP/1.1 with keep-alive and the gateway's request read deadlines.
    public static func gateway(_ settings: ServerSettings) -> HTTPServerBuilder {
        let head = TimeAmount.nanoseconds(settings.requestHeadTimeout.totalNanoseconds)
        let body = TimeAmount.nanoseconds(settings.requestBodyTimeout.totalNanoseconds)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [ClientConnectionGuard(headTimeout: head, bodyTimeout: body)]))
    }
}

extension Duration {
    var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
