import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// AsyncHTTPClient as a transport: for HTTP/2 upstreams.
struct AsyncHTTPClientTransport: UpstreamTransport {
    let client: HTTPClient

    func execute(_ request: UpstreamHTTPRequest, headTimeout: Duration, logger: @autoclosure () -> Logger) async throws -> UpstreamHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body { outgoing.body = .bytes(body) }
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(headTimeout.wholeNanoseconds), logger: logger())
            return UpstreamHTTPResponse(status: response.status, headers: response.headers, body: .init(source: .asyncHTTPClient(response.body)))
        } catch {
            throw Self.translate(error)
        }
    }

    /// AsyncHTTPClient's errors as the transport's.
    static func translate(_ error: any Error) -> any Error {
        guard let clientError = error as? HTTPClientError else { return error }
        switch clientError {
        case .deadlineExceeded: return UpstreamTransportError.headTimeout
        case .readTimeout: return UpstreamTransportError.readTimeout
        case .connectTimeout: return UpstreamTransportError.connectTimeout
        case .cancelled: return CancellationError()
        default: return UpstreamTransportError.connectionFailed("\(clientError)")
        }
    }
}
