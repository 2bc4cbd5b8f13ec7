import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// Carries one request to an upstream and hands back its answer's head as soon as it arrives, with the body
/// to be read as it streams in.
///
/// Two implementations: ``PooledHTTP1Transport``, a lean HTTP/1.1 client that keeps each request on the event
/// loop it started on (the hot path), and ``AsyncHTTPClientTransport`` for what AsyncHTTPClient does better
/// (HTTP/2).
protocol UpstreamTransport: Sendable {
    /// Sends `request`; returns once the response head arrived.
    /// - Throws: ``UpstreamTransportError``, or `CancellationError` when the calling task was cancelled.
    func execute(_ request: UpstreamHTTPRequest, headTimeout: Duration, logger: @autoclosure () -> Logger) async throws -> UpstreamHTTPResponse
}

/// One request to an upstream, body included.
struct UpstreamHTTPRequest: Sendable {
    var method: HTTPMethod
    /// The absolute URL: `http` or `https`, host, optional port, path and query.
    var url: String
    var headers: HTTPHeaders
    var body: ByteBuffer?
}

/// An upstream's answer: its head, and its body as it arrives.
struct UpstreamHTTPResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: UpstreamResponseBody
}

/// How an exchange with an upstream failed, whichever transport carried it.
enum UpstreamTransportError: Error, Sendable {
    /// No connection within the connect timeout.
    case connectTimeout
    /// No response head within the head timeout.
    case headTimeout
    /// The upstream was silent for longer than the idle read timeout.
    case readTimeout
    /// The body grew past what the reader accepts.
    case bodyTooLarge
    /// The URL is not an absolute `http` or `https` URL.
    case invalidURL(String)
    /// The connection failed or closed before the exchange was over.
    case connectionFailed(String)
    /// A header named so, or with a value, that HTTP does not allow (a value with a line break, say).
    case invalidHeader(String)
}
