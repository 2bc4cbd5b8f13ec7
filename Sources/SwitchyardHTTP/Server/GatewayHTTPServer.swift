import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
package import Logging
import NIOCore
import NIOPosix
package import ServiceLifecycle
package import SwitchyardCore
package import SwitchyardGateway
import Synchronization

/// The gateway's HTTP server, as a service: the ``GatewayResponder`` behind ``GatewayHTTP1Channel`` on the configured
/// address.
package enum GatewayHTTPServer {
    /// Serves with the responder in `responders` until the service group shuts down, then lets in-flight responses end
    /// (each connection closes after its last queued response). Each request is answered by the responder in place when
    /// it arrives, so one put there by a configuration reload serves new requests while earlier ones finish on
    /// theirs.
    /// - Parameter onRunning: called with the bound port once the server listens.
    /// - Parameter authenticator: when given, a request's large body is read only once the key on its head is
    ///   accepted.
    package static func make(
        responders: Swappable<GatewayResponder>, settings: ServerSettings, serverName: String = "switchyard", authenticator: Authenticator? = nil,
        metrics: GatewayMetrics? = nil, uiEnabled: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }, logger: Logger
    ) -> any Service {
        let dates = HTTPDateHeader()
        var channel = GatewayHTTP1Channel(
            responder: { inbound, channel, departure in
                let request = inbound.request
                var context = GatewayRequestContext(source: .init(channel: channel, logger: logger))
                context.departure = departure
                context.body = inbound.body
                var response: Response
                do {
                    response = try await responders.current.respond(to: request, context: context)
                } catch let error as any HTTPResponseError {
                    response = (try? error.response(from: request, context: context)) ?? Response(status: error.status)
                } catch {
                    logger.debug("Unrecognised error", metadata: ["error": "\(error)"])
                    response = Response(status: .internalServerError)
                }
                response.headers.append(HTTPField(name: .date, value: dates.current()))
                response.headers.append(HTTPField(name: .server, value: serverName))
                return response
            },
            maximumBody: settings.maxBodyBytes,
            headTimeout: .nanoseconds(settings.requestHeadTimeout.wholeNanoseconds),
            bodyTimeout: .nanoseconds(settings.requestBodyTimeout.wholeNanoseconds))
        channel.writeTimeout = .nanoseconds(settings.writeTimeout.wholeNanoseconds)
        channel.headGate = authenticator.map { RequestHeadGate(authenticator: $0, uiEnabled: uiEnabled) }
        let bodyBudget = BodyBudget(limit: settings.maxBufferedBodyBytes)
        metrics?.readBufferedBodyBytes { bodyBudget.inUse }
        channel.bodyBudget = bodyBudget
        channel.connections = ConnectionBudget(limit: settings.maxConnections) { metrics?.openConnections($0) }
        channel.metrics = metrics
        return channel.server(
            configuration: ServerConfiguration(address: .hostname(settings.host, port: settings.port), serverName: serverName),
            onServerRunning: { await onRunning($0.localAddress?.port ?? settings.port) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
    }
}

/// The `Date` header's value (IMF-fixdate), formatted once per second.
final class HTTPDateHeader: Sendable {
    private let cache = Mutex<(second: Int, text: String)>((-1, ""))

    func current() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = Int(now.tv_sec)
        return cache.withLock { cache in
            if cache.second != second { cache = (second, Self.format(second)) }
            return cache.text
        }
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func format(_ second: Int) -> String {
        var time = time_t(second)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
