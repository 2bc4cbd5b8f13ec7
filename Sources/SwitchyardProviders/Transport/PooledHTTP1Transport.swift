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
