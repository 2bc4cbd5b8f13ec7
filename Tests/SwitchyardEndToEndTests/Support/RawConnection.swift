import NIOCore
import NIOPosix

/// A plain TCP connection for sending bytes no HTTP client would send.
struct RawConnection {
    /// Connects to 127.0.0.1:`port`, runs `body` with a writer and the inbound byte stream, then closes.
    /// `receiveBuffer` sets the socket's receive buffer (a client that reads slowly fills a small one sooner).
    static func with<T: Sendable>(
        port: Int, receiveBuffer: Int? = nil,
        _ body: (NIOAsyncChannelOutboundWriter<ByteBuffer>, inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) async throws -> T
    ) async throws -> T {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let receiveBuffer { bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: receiveBuffer) }
        let channel = try await bootstrap
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            return try await body(outbound, &iterator)
        }
    }

    /// Everything the server sends until it closes the connection (or `limit` passes).
    static func readUntilClosed(
        _ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, limit: Duration = .seconds(10)
    ) async throws -> (text: String, closedAfter: Duration) {
        let start = ContinuousClock.now
        var text = ""
        while ContinuousClock.now - start < limit, let part = try await iterator.next(isolation: #isolation) {
            text += String(buffer: part)
        }
        return (text, ContinuousClock.now - start)
    }

    /// The head of a `POST /v1/chat/completions` with the master key, for `body`; `extraHeaders` end in CRLF.
    static func chatRequestHead(body: String, extraHeaders: String = "") -> String {
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(GatewayHarness.masterKey)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extraHeaders)\r\n"
    }
}
