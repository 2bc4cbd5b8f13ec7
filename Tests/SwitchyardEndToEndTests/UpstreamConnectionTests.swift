import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import SwitchyardTesting
import Testing

/// How the gateway's upstream connections are kept, reused and replaced, against an HTTP/1.1 upstream whose
/// connection handling the test controls.
@Suite("Upstream connections")
struct UpstreamConnectionTests {
    @Test("sequential requests reuse keep-alive connections: at most one per event loop")
    func reusesConnections() async throws {
        let upstream = try await KeepAliveUpstream.start(answersPerConnection: .max)
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: upstream.baseURL) { gateway in
            for _ in 0..<12 {
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200)
            }
        }
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator()).count
        #expect(upstream.counts.answered == 12)
        #expect(upstream.counts.connections <= loops)
        try await upstream.close()
    }

    @Test("a keep-alive connection the upstream dropped costs no request: it is sent again on a new connection")
    func retriesOnDroppedConnection() async throws {
        // Each connection answers one request, then closes when the next arrives, unanswered: what an upstream
        // does when its idle timeout fires just as the gateway reuses the connection.
        let upstream = try await KeepAliveUpstream.start(answersPerConnection: 1)
        // More requests than twice the pools, so some request certainly meets a dropped connection.
        let requests = 2 * Array(MultiThreadedEventLoopGroup.singleton.makeIterator()).count + 1
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: upstream.baseURL) { gateway in
            for _ in 0..<requests {
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200)
                #expect(reply.body.contains("chat.completion"))
            }
        }
        #expect(upstream.counts.answered == requests)
        #expect(upstream.counts.connections == requests)
        try await upstream.close()
    }
}

/// An OpenAI-shaped upstream on loopback that answers `answersPerConnection` requests per connection with
/// keep-alive, then closes the connection on the next request without answering it.
final class KeepAliveUpstream: Sendable {
    struct Counts: Sendable {
        var connections = 0
        var answered = 0
    }

    private let channel: any Channel
    private let counter: Counter
    let baseURL: String

    var counts: Counts { counter.state.withLock { $0 } }

    private init(channel: any Channel, counter: Counter) {
        self.channel = channel
        self.counter = counter
        baseURL = "http://127.0.0.1:\(channel.localAddress!.port!)/v1"
    }

    static func start(answersPerConnection: Int) async throws -> KeepAliveUpstream {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                counter.state.withLock { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Answerer(limit: answersPerConnection, counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return KeepAliveUpstream(channel: channel, counter: counter)
    }

    func close() async throws {
        try await channel.close()
    }

    /// Shared between the connections' handlers and the test.
    final class Counter: Sendable {
        let state = Mutex(Counts())
    }

    private final class Answerer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let limit: Int
        let counter: Counter
        var answered = 0

        init(limit: Int, counter: Counter) {
            self.limit = limit
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            guard answered < limit else {
                context.close(promise: nil)
                return
            }
            answered += 1
            counter.state.withLock { $0.answered += 1 }
            let body = ByteBuffer(string: OpenAIWireSamples.chatCompletion(model: "up-model"))
            var headers = HTTPHeaders([("content-type", "application/json"), ("content-length", String(body.readableBytes))])
            headers.add(name: "connection", value: "keep-alive")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
