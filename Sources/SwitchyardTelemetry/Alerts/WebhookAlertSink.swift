import AsyncHTTPClient
import Foundation
package import Logging
import NIOCore
import NIOHTTP1
package import ServiceLifecycle
package import SwitchyardCore

/// Posts alerts as JSON to a webhook, off the request path: `send` queues (bounded), this service delivers, one
/// at a time, with a short timeout; an alert that cannot be delivered is logged and dropped.
package final class WebhookAlertSink: AlertSink, Service {
    private let url: String
    private let logger: Logger
    private let stream: AsyncStream<BudgetAlert>
    private let continuation: AsyncStream<BudgetAlert>.Continuation

    package init(url: String, logger: Logger) {
        self.url = url
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: BudgetAlert.self, bufferingPolicy: .bufferingNewest(1000))
    }

    /// A sink for configurations without a webhook: its service ends at once.
    package static var idle: some Service { IdleService() }

    private struct IdleService: Service {
        func run() async throws {}
    }

    package func send(_ alert: BudgetAlert) {
        continuation.yield(alert)
    }

    /// Delivers queued alerts until shutdown. The HTTP client lives as long as this does, so a sink that never runs
    /// (the server failed to start) holds no connections.
    package func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        await withGracefulShutdownHandler {
            for await alert in stream {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.headers.add(name: "user-agent", value: "switchyard")
                request.body = .bytes(ByteBuffer(bytes: (try? encoder.encode(alert)) ?? Data()))
                do {
                    let response = try await client.execute(request, timeout: .seconds(10))
                    _ = try? await response.body.collect(upTo: 64 << 10)
                    if response.status.code >= 300 {
                        logger.warning("alert webhook answered \(response.status.code)", metadata: ["alert": "\(alert.type)"])
                    }
                } catch {
                    logger.warning("could not deliver an alert", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
        try? await client.shutdown()
    }

    /// One short attempt per alert: no redirects followed, no connection retried.
    private static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
