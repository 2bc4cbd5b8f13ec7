import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import SwitchyardCore

/// A lean HTTP/1.1 client for upstream calls: SwiftNIO's HTTP codec over keep-alive connections pooled per
/// event loop and per origin, TLS by NIOSSL.
///
/// A request takes an idle connection of the event loop it is running on (or of any loop, from elsewhere), so
/// writing it, reading the answer and handing it over happen on one thread, with no state machine beyond the
/// exchange itself. A connection the upstream closed while idle is noticed on reuse and the request is sent again
/// on a new one, provided nothing of an answer arrived. At most `maximumIdlePerOrigin` connections per origin
/// and loop are kept; the rest close when their exchange ends, and idle ones close after `idleTimeout`.
final class PooledHTTP1Transport: UpstreamTransport {
    struct Configuration: Sendable {
        var connectTimeout: TimeAmount
        /// The longest silence while reading an answer.
        var idleReadTimeout: TimeAmount?
        var maximumIdlePerOrigin = 32
        var idleTimeout: TimeAmount = .seconds(60)
    }

    /// One event loop's pool, reachable from any thread but used only on its loop.
    private struct LoopPool: Sendable {
        let loop: any EventLoop
        let pool: NIOLoopBoundBox<UpstreamConnectionPool>

        /// Runs `body` on the loop: at once when already there.
        func run(_ body: @escaping @Sendable (UpstreamConnectionPool) -> Void) {
            if loop.inEventLoop {
                body(pool.value)
            } else {
                let pool = pool
                loop.execute { body(pool.value) }
            }
        }
    }

    private let group: MultiThreadedEventLoopGroup
    private let pools: [ObjectIdentifier: LoopPool]
    /// Upstream URLs parsed once each: a provider sends all its requests to a handful of them.
    private let parsedURLs = LazyTable<String, UpstreamURL>(maximumCount: 256)

    init(group: MultiThreadedEventLoopGroup, configuration: Configuration, tls: TLSContextCache) {
        self.group = group
        var pools: [ObjectIdentifier: LoopPool] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = LoopPool(
                loop: loop,
                pool: .makeBoxSendingValue(UpstreamConnectionPool(loop: loop, configuration: configuration, tls: tls), eventLoop: loop))
        }
        self.pools = pools
    }

    func execute(_ request: UpstreamHTTPRequest, headTimeout: Duration, logger: @autoclosure () -> Logger) async throws -> UpstreamHTTPResponse {
        let url = try parsedURLs.value(for: request.url, make: UpstreamURL.init)
        let wire = try UpstreamRequestWire.encode(
            method: request.method, target: url.pathAndQuery, headers: request.headers, host: url.hostHeader, body: request.body)
        let exchange = UpstreamExchange(method: request.method, wire: wire, origin: url.origin)
        let pool = pools[ObjectIdentifier(group.any())]!
        let timeout = TimeAmount.nanoseconds(headTimeout.wholeNanoseconds)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                exchange.awaitHead(continuation)
                pool.run { $0.start(exchange, headTimeout: timeout) }
            }
        } onCancel: {
            exchange.fail(CancellationError())
        }
    }

    /// Closes every pooled connection.
    func shutdown() async {
        for pool in pools.values {
            let box = pool.pool
            try? await pool.loop.submit { box.value.closeAll() }.get()
        }
    }
}

/// Where connections go: scheme, host and port.
struct UpstreamOrigin: Hashable, Sendable {
    var tls: Bool
    var host: String
    var port: Int

    /// The `Host` header's value: the port only when it is not the scheme's own.
    var hostHeader: String {
        let host = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? host : "\(host):\(port)"
    }
}

/// An absolute `http` or `https` URL, split into what a connection needs.
struct UpstreamURL: Sendable {
    var origin: UpstreamOrigin
    var pathAndQuery: String
    var hostHeader: String

    init(_ url: String) throws(UpstreamTransportError) {
        let tls: Bool
        let rest: Substring
        if url.hasPrefix("https://") {
            tls = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            tls = false
            rest = url.dropFirst(7)
        } else {
            throw .invalidURL(url)
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let path = rest[authorityEnd...]
        pathAndQuery = path.isEmpty ? "/" : (path.first == "?" ? "/" + path : String(path))
        var host = authority
        var port = tls ? 443 : 80
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.first == ":" {
                guard let parsed = Int(after.dropFirst()) else { throw .invalidURL(url) }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { throw .invalidURL(url) }
            port = parsed
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw .invalidURL(url) }
        origin = UpstreamOrigin(tls: tls, host: String(host), port: port)
        hostHeader = origin.hostHeader
    }
}

/// One client TLS context for every upstream, made when the first `https` connection needs it.
final class TLSContextCache: Sendable {
    private let context = Mutex<NIOSSLContext?>(nil)

    func get() throws -> NIOSSLContext {
        try context.withLock { context in
            if let context { return context }
            let made = try NIOSSLContext(configuration: .makeClientConfiguration())
            context = made
            return made
        }
    }
}

/// The idle connections of one event loop, by origin. Lives on its loop: every method runs there.
final class UpstreamConnectionPool {
    private let loop: any EventLoop
    private let configuration: PooledHTTP1Transport.Configuration
    private let tls: TLSContextCache
    private var idle: [UpstreamOrigin: [UpstreamConnectionHandler]] = [:]
    private var sweeper: RepeatedTask?

    var idleReadTimeout: TimeAmount? { configuration.idleReadTimeout }

    init(loop: any EventLoop, configuration: PooledHTTP1Transport.Configuration, tls: TLSContextCache) {
        self.loop = loop
        self.configuration = configuration
        self.tls = tls
    }

    /// Sends `exchange` on an idle connection to its origin, or on a new one.
    func start(_ exchange: UpstreamExchange, headTimeout: TimeAmount) {
        while let connection = idle[exchange.origin]?.popLast() {
            if connection.isReusable {
                connection.start(exchange, headTimeout: headTimeout, reused: true)
                return
            }
        }
        connect(exchange, headTimeout: headTimeout)
    }

    /// Sends `exchange` on a new connection.
    func connect(_ exchange: UpstreamExchange, headTimeout: TimeAmount) {
        let origin = exchange.origin
        let sslContext: NIOSSLContext?
        do {
            sslContext = origin.tls ? try tls.get() : nil
        } catch {
            exchange.fail(UpstreamTransportError.connectionFailed("TLS could not be set up: \(error)"))
            return
        }
        let pool = NIOLoopBound(self, eventLoop: loop)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        let serverName = origin.host.contains(":") || origin.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : origin.host
                        try pipeline.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    // Requests leave encoded already (see UpstreamRequestWire); NIO's decoder reads the answers.
                    try pipeline.addHandler(EncodedRequestWriter())
                    try pipeline.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try pipeline.addHandler(UpstreamConnectionHandler(pool: pool.value, origin: origin))
                }
            }
        bootstrap.connect(host: origin.host, port: origin.port).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                guard let connection = try? channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self) else {
                    channel.close(promise: nil)
                    exchange.fail(UpstreamTransportError.connectionFailed("the connection closed as it opened"))
                    return
                }
                connection.start(exchange, headTimeout: headTimeout, reused: false)
            case .failure(let error):
                if case ChannelError.connectTimeout = error {
                    exchange.fail(UpstreamTransportError.connectTimeout)
                } else {
                    exchange.fail(UpstreamTransportError.connectionFailed("\(error)"))
                }
            }
        }
    }

    /// Takes back a connection whose exchange ended cleanly.
    func release(_ connection: UpstreamConnectionHandler) {
        var connections = idle[connection.origin, default: []]
        guard connections.count < configuration.maximumIdlePerOrigin else {
            connection.close()
            return
        }
        connection.idleSince = .now()
        connections.append(connection)
        idle[connection.origin] = connections
        startSweeping()
    }

    /// Forgets a connection that closed.
    func remove(_ connection: UpstreamConnectionHandler) {
        idle[connection.origin]?.removeAll { $0 === connection }
    }

    func closeAll() {
        sweeper?.cancel()
        sweeper = nil
        let all = idle.values.joined()
        idle.removeAll()
        for connection in all { connection.close() }
    }

    private func startSweeping() {
        guard sweeper == nil else { return }
        let pool = NIOLoopBound(self, eventLoop: loop)
        sweeper = loop.scheduleRepeatedTask(initialDelay: configuration.idleTimeout, delay: .nanoseconds(configuration.idleTimeout.nanoseconds / 2)) { _ in
            pool.value.closeExpired()
        }
    }

    private func closeExpired() {
        let oldest = NIODeadline.now() - configuration.idleTimeout
        for (origin, connections) in idle {
            let (expired, kept) = (connections.filter { $0.idleSince < oldest }, connections.filter { $0.idleSince >= oldest })
            idle[origin] = kept.isEmpty ? nil : kept
            for connection in expired { connection.close() }
        }
    }
}

/// The end of a pooled connection: writes the exchange's request, hands its answer over as it is read, and
/// returns the connection to the pool when the answer ended and both sides keep it alive.
final class UpstreamConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let origin: UpstreamOrigin
    var idleSince = NIODeadline.now()
    private let pool: UpstreamConnectionPool
    private var context: ChannelHandlerContext?
    private var exchange: UpstreamExchange?
    private var reused = false
    private var headTimeout = TimeAmount.zero
    private var keepAlive = true
    private var lastRead = NIODeadline.now()
    /// Whether the head has arrived: the watchdog then watches for silence instead of the head timeout.
    private var receivingBody = false
    private var watchdog: ConnectionWatchdog?

    init(pool: UpstreamConnectionPool, origin: UpstreamOrigin) {
        self.pool = pool
        self.origin = origin
    }

    var isReusable: Bool {
        exchange == nil && context?.channel.isActive == true
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        watchdog = ConnectionWatchdog(on: context.eventLoop) { self.deadlinePassed() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watchdog?.stop()
        self.context = nil
    }

    func start(_ exchange: UpstreamExchange, headTimeout: TimeAmount, reused: Bool) {
        guard let context else {
            // The connection went away as it was handed over: a new one carries the exchange.
            pool.connect(exchange, headTimeout: headTimeout)
            return
        }
        guard exchange.attach(context.channel) else {
            // Cancelled while the connection was found: it is still good for the next one.
            pool.release(self)
            return
        }
        self.exchange = exchange
        self.reused = reused
        self.headTimeout = headTimeout
        keepAlive = true
        context.write(wrapOutboundOut(.head(EncodedRequestWriter.head(for: exchange.method))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(exchange.wire))), promise: nil)
        receivingBody = false
        watchdog?.arm(at: .now() + headTimeout)
    }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            // Informational answers (100 Continue) precede the real one.
            if (100..<200).contains(head.status.code) { return }
            // Only a clean, successful exchange leaves the connection reusable: an error may come before the
            // upstream read the whole request.
            keepAlive = head.isKeepAlive && (200..<300).contains(head.status.code)
            lastRead = .now()
            receivingBody = true
            if let limit = pool.idleReadTimeout { watchdog?.arm(at: lastRead + limit) } else { watchdog?.disarm() }
            exchange.receivedHead(head)
        case .body(let bytes):
            lastRead = .now()
            exchange.receivedBody(bytes)
        case .end:
            watchdog?.disarm()
            self.exchange = nil
            exchange.receivedEnd()
            if keepAlive, context.channel.isActive {
                pool.release(self)
            } else {
                context.close(promise: nil)
            }
        }
    }

    /// Holds back reading while the reader has more buffered than it should.
    func read(context: ChannelHandlerContext) {
        if let exchange, exchange.shouldPauseReading() { return }
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog?.stop()
        if let exchange {
            self.exchange = nil
            if reused, exchange.detachForRetry() {
                // The upstream closed an idle connection as it was reused: nothing was answered, so send again.
                pool.connect(exchange, headTimeout: headTimeout)
            } else {
                exchange.fail(UpstreamTransportError.connectionFailed("the upstream closed the connection"))
            }
        }
        pool.remove(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        exchange?.fail(UpstreamTransportError.connectionFailed("\(error)"))
        exchange = nil
        context.close(promise: nil)
    }

    private func timedOut(_ error: UpstreamTransportError) {
        guard let exchange else { return }
        self.exchange = nil
        exchange.fail(error)
        context?.close(promise: nil)
    }

    /// Before the head: the head timeout passed. After it: the upstream may have stayed silent past the idle read
    /// timeout (reads since, or a paused read, which is not silence, push the deadline on).
    private func deadlinePassed() {
        guard let exchange else { return }
        guard receivingBody, let limit = pool.idleReadTimeout else {
            timedOut(UpstreamTransportError.headTimeout)
            return
        }
        if exchange.isReadingPaused { lastRead = .now() }
        if NIODeadline.now() - lastRead >= limit {
            timedOut(UpstreamTransportError.readTimeout)
        } else {
            watchdog?.arm(at: lastRead + limit)
        }
    }
}
