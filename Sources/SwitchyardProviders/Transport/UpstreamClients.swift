package import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SwitchyardCore

/// The HTTP clients that reach upstreams: one per distinct connection setting, shared by every provider that uses
/// that setting (with default settings, one for plain requests and one for streams).
///
/// HTTP/1.1 upstreams are reached through ``PooledHTTP1Transport``; HTTP/2 ones, and those that trust certificate
/// authorities of their own (`ca_file`), through AsyncHTTPClient, which fixes the HTTP version, connect timeout,
/// idle-read timeout and TLS configuration per client.
package final class UpstreamClients: Sendable {
    /// What makes two clients different.
    package struct Settings: Hashable, Sendable {
        package var http2: Bool
        package var connectTimeout: Duration
        /// The longest silence between two reads.
        package var idleReadTimeout: Duration?
        /// Certificates (PEM) trusted as roots besides the system's.
        package var caCertificatesPEM: String? = nil
    }

    private let clients = LazyTable<Settings, HTTPClient>()
    private let pooled = LazyTable<Settings, PooledHTTP1Transport>()
    private let tls = TLSContextCache()

    package init() {}

    /// The transport for `settings`, made on first use.
    func transport(for settings: Settings) -> any UpstreamTransport {
        // The pooled transport shares one TLS context, which trusts the system's roots only: a provider with roots
        // of its own goes through AsyncHTTPClient, over HTTP/1.1 unless it asks for HTTP/2.
        if let pem = settings.caCertificatesPEM {
            do {
                _ = try Self.certificates(inPEM: pem)
            } catch {
                return RefusedTransport(reason: "its ca_file holds no certificate TLS can use (\(error))")
            }
            return AsyncHTTPClientTransport(client: client(for: settings))
        }
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
    package func client(for settings: Settings) -> HTTPClient {
        clients.value(for: settings) { settings in
            HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: Self.configuration(for: settings))
        }
    }

    /// Closes every connection; call once, after the server stopped.
    package func shutdown() async throws {
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
        if let pem = settings.caCertificatesPEM {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let roots = try? certificates(inPEM: pem) {
                tls.additionalTrustRoots = [.certificates(roots)]
            } else {
                // Unreadable roots (refused by `transport(for:)` before a client is made) trust nothing at all
                // rather than fall back to the system's alone.
                tls.trustRoots = .certificates([])
            }
            configuration.tlsConfiguration = tls
        }
        return configuration
    }

    /// Why TLS cannot use the certificates of a PEM bundle as trust roots; nil when it can.
    package static func trustRootsProblem(_ pem: String) -> String? {
        do {
            _ = try certificates(inPEM: pem)
            return nil
        } catch {
            return "TLS cannot use its certificates: \(error)"
        }
    }

    /// The certificates of a PEM bundle; throws when it holds none NIOSSL can read.
    private static func certificates(inPEM pem: String) throws -> [NIOSSLCertificate] {
        let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        guard !certificates.isEmpty else { throw NoCertificate() }
        return certificates
    }

    private struct NoCertificate: Error, CustomStringConvertible {
        var description: String { "no certificate in it" }
    }
}

/// A transport that fails every request at once, for a provider whose connection settings cannot be used.
private struct RefusedTransport: UpstreamTransport {
    let reason: String

    func execute(_ request: UpstreamHTTPRequest, headTimeout: Duration, logger: @autoclosure () -> Logger) async throws -> UpstreamHTTPResponse {
        throw UpstreamTransportError.connectionFailed(reason)
    }
}
