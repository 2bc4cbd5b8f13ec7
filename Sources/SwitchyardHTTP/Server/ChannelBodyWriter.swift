import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import SwitchyardGateway

/// The body writer a route's response body is written through.
struct ChannelBodyWriter: ResponseBodyWriter {
    let output: ResponseOutput

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await output.writeBody(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await output.end(trailingHeaders)
    }
}
