import AsyncHTTPClient
import NIOCore
import NIOPosix
import Synchronization
import SwitchyardCore

/// The HTTP clients that reach upstreams: one per distinct connection setting, shared by every provider that uses
/// that setting (with default settings, one for plain requests and one for streams).
///
/// AsyncHTTPClient fixes the HTTP version, connect timeout and idle-read timeout per client, so providers that
/// differ in those need a client of their own; everything else (pooling, keep-alive, TLS) is shared.
public final class UpstreamClients: Sendable {
    /// What makes two clients different.
    public struct Settings: Hashable, Sendable {
        public var http2: Bool
        public var connectTimeout: Duration
        /// The longest silence between two reads.
        public var idleReadTimeout: Duration?
    }

    private let clients = Mutex<[Settings: HTTPClient]>([:])

    public init() {}

    /// The client for `settings`, made on first use.
    public func client(for settings: Settings) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[settings] { return client }
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: Self.configuration(for: settings))
            clients[settings] = client
            return client
        }
    }

    /// Closes every connection; call once, after the server stopped.
    public func shutdown() async throws {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try await client.shutdown() }
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
