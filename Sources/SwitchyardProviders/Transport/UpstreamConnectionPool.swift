import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import SwitchyardCore

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
