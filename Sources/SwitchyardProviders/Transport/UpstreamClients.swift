import AsyncHTTPClient
import NIOCore
import NIOPosix
import SwitchyardCore

/// The HTTP clients that reach upstreams: one per distinct connection setting, shared by every provider that uses
/// that setting (with default settings, one for plain requests and one for streams).
///
/// HTTP/1.1 upstreams are reached through ``PooledHTTP1Transport``; HTTP/2 ones through AsyncHTTPClient, which
/// fixes the HTTP version, connect timeout and idle-read timeout per client.
public final class UpstreamClients: Sendable {
    /// What makes two clients different.
    public struct Settings: Hashable, Sendable {
        public var http2: Bool
        public var connectTimeout: Duration
        /// The longest silence between two reads.
        public var idleReadTimeout: Duration?
    }

    private let clients = LazyTable<Settings, HTTPClient>()
    private let pooled = LazyTable<Settings, PooledHTTP1Transport>()
    private let tls = TLSContextCache()

    public init() {}

    /// The transport for `settings`, made on first use.
    func transport(for settings: Settings) -> any UpstreamTransport {
        guard !settings.http2 else { return AsyncHTTPClientTransport(client: client(for: settings)) }
        return pooled.value(for: settings) { settings in
            PooledHTTP1Transport(
                group: .singleton,
                configuration: .init(
                    connectTimeout: .nanoseconds(settings.connectTimeout.wholeNanoseconds),
                    idleReadTimeout: settings.idleReadTimeout.map { .nanoseconds($0.wholeNanoseconds) }),
                tls: tls)
        }
    }

    /// The AsyncHTTPClient client for `settings`, made on first use.
    public func client(for settings: Settings) -> HTTPClient {
        clients.value(for: settings) { settings in
            HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: Self.configuration(for: settings))
        }
    }

    /// Closes every connection; call once, after the server stopped.
    public func shutdown() async throws {
        for client in clients.removeAll() { try await client.shutdown() }
        for transport in pooled.removeAll() { await transport.shutdown() }
    }

    private static func configuration(for settings: Settings) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = settings.http2 ? .automatic : .http1Only
        configuration.decompression = .disabled
        // A redirect would carry the provider's key to wherever it points.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(
            connect: .nanoseconds(settings.connectTimeout.wholeNanoseconds),
            read: settings.idleReadTimeout.map { .nanoseconds($0.wholeNanoseconds) })
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // A refused connection fails the attempt at once, so the router moves to the next target instead of
        // waiting out the connect timeout while the pool keeps trying.
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
