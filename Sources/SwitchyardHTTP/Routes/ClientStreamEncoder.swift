import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

/// Turns a chat event stream into the frames of one client dialect.
protocol ClientStreamEncoder: Sendable {
    /// The frames for one upstream event.
    mutating func frames(for event: ChatStreamEvent) throws -> [ByteBuffer]
    /// The frames that close a stream that ended normally.
    mutating func closingFrames() -> [ByteBuffer]
    /// The frame that reports a failure after the stream began.
    func errorFrame(_ error: GatewayError) -> ByteBuffer
}
