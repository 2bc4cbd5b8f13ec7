import ArgumentParser
import NIOCore
import NIOHTTP1
import NIOPosix

/// The end-to-end benchmark's SwiftNIO reference: an HTTP/1.1 reverse proxy made of SwiftNIO's own codecs and
/// keep-alive upstream connections pooled per event loop, driven by callbacks on the loop alone.
///
/// It does none of a gateway's work: no keys, limits, routing, JSON, metrics or logs, and no Swift concurrency. What
/// it costs per request is therefore the floor that any proxy on this stack pays; the benchmark reports the gateway
/// against it as well as against nginx. Like the gateway, it answers `GET /health/live` itself, so the two server
/// stacks can also be compared with no upstream at all.
@main
struct ProxyFloor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard-proxy-floor", abstract: "A minimal SwiftNIO reverse proxy: the benchmark's floor reference.")

    @Option(help: "The loopback port to listen on.") var port: Int
    @Option(help: "The loopback port of the upstream.") var upstreamPort: Int

    func run() throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let upstreamPort = upstreamPort
        let poolsByLoop = Dictionary(
            uniqueKeysWithValues: group.makeIterator().map { loop in
                (ObjectIdentifier(loop), NIOLoopBoundBox.makeBoxSendingValue(UpstreamPool(loop: loop, port: upstreamPort), eventLoop: loop))
            })
        let server = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pool = poolsByLoop[ObjectIdentifier(channel.eventLoop)]!.value
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ClientHandler(pool: pool))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .wait()
        try server.closeFuture.wait()
    }
}

/// One client connection: gathers each request, sends it upstream, and forwards the answer's parts as they arrive.
final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let pool: UpstreamPool
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(pool: UpstreamPool) { self.pool = pool }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            body = nil
        case .body(var part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            guard var request = head else { return }
            head = nil
            if request.method == .GET, request.uri == "/health/live" { return answerLive(context: context, keepAlive: request.isKeepAlive) }
            let keepAlive = request.isKeepAlive
            request.headers.replaceOrAdd(name: "host", value: pool.hostHeader)
            request.headers.remove(name: "connection")
            let client = NIOLoopBound(context, eventLoop: context.eventLoop)
            var answered = false
            pool.send(request, body: body) { part in
                let context = client.value
                switch part {
                case .head(var answer):
                    answered = true
                    answer.headers.remove(name: "connection")
                    answer.headers.remove(name: "keep-alive")
                    context.write(self.wrapOutboundOut(.head(answer)), promise: nil)
                case .body(let bytes):
                    context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
                case .end:
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                    if !keepAlive { context.close(promise: nil) }
                }
            } failed: {
                let context = client.value
                // Part of an answer went out already: only closing tells the client it is cut short.
                guard !answered else { return context.close(promise: nil) }
                var answer = HTTPResponseHead(version: .http1_1, status: .badGateway)
                answer.headers.add(name: "content-length", value: "0")
                context.write(self.wrapOutboundOut(.head(answer)), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

extension ClientHandler {
    private static let live = ByteBuffer(string: #"{"status":"ok"}"#)

    fileprivate func answerLive(context: ChannelHandlerContext, keepAlive: Bool) {
        var answer = HTTPResponseHead(version: .http1_1, status: .ok)
        answer.headers.add(name: "content-type", value: "application/json")
        answer.headers.add(name: "content-length", value: "\(Self.live.readableBytes)")
        context.write(wrapOutboundOut(.head(answer)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(Self.live))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if !keepAlive { context.close(promise: nil) }
    }
}

/// The idle upstream connections of one event loop; used on that loop only.
final class UpstreamPool {
    let hostHeader: String
    private let loop: any EventLoop
    private let port: Int
    private var idle: [UpstreamHandler] = []

    init(loop: any EventLoop, port: Int) {
        self.loop = loop
        self.port = port
        hostHeader = "127.0.0.1:\(port)"
    }

    /// Sends a request on an idle connection, or a new one; `receive` gets the answer's parts, `failed` a failure.
    func send(
        _ head: HTTPRequestHead, body: ByteBuffer?, receive: @escaping (HTTPClientResponsePart) -> Void, failed: @escaping () -> Void
    ) {
        if let connection = idle.popLast() {
            connection.send(head, body: body, receive: receive, failed: failed)
            return
        }
        let pool = NIOLoopBound(self, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(pool: pool.value))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .assumeIsolated()
            .whenComplete { result in
                guard case .success(let channel) = result,
                    let connection = try? channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                else { return failed() }
                connection.send(head, body: body, receive: receive, failed: failed)
            }
    }

    func release(_ connection: UpstreamHandler) { idle.append(connection) }

    func remove(_ connection: UpstreamHandler) { idle.removeAll { $0 === connection } }
}

/// One keep-alive upstream connection: writes a request and hands each part of its answer on.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let pool: UpstreamPool
    private var context: ChannelHandlerContext?
    private var receive: ((HTTPClientResponsePart) -> Void)?
    private var failed: (() -> Void)?

    init(pool: UpstreamPool) { self.pool = pool }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func send(_ head: HTTPRequestHead, body: ByteBuffer?, receive: @escaping (HTTPClientResponsePart) -> Void, failed: @escaping () -> Void) {
        guard let context else { return failed() }
        self.receive = receive
        self.failed = failed
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        receive?(part)
        if case .end = part {
            receive = nil
            failed = nil
            pool.release(self)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool.remove(self)
        if let failed {
            receive = nil
            self.failed = nil
            failed()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
