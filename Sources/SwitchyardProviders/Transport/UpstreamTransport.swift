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

/// A response body: the bytes as they arrive, or all of them at once.
struct UpstreamResponseBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    enum Source: Sendable {
        case pooled(PooledResponseBody)
        case asyncHTTPClient(HTTPClientResponse.Body)
    }

    let source: Source

    struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate enum Source {
            case pooled(PooledResponseBody)
            case asyncHTTPClient(HTTPClientResponse.Body.AsyncIterator)
        }

        fileprivate var source: Source

        mutating func next() async throws -> ByteBuffer? {
            switch source {
            case .pooled(let body):
                return try await body.next()
            case .asyncHTTPClient(var iterator):
                do {
                    defer { source = .asyncHTTPClient(iterator) }
                    return try await iterator.next()
                } catch {
                    throw AsyncHTTPClientTransport.translate(error)
                }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .pooled(let body): AsyncIterator(source: .pooled(body))
        case .asyncHTTPClient(let body): AsyncIterator(source: .asyncHTTPClient(body.makeAsyncIterator()))
        }
    }

    /// The whole body, refused past `limit` bytes.
    func collect(upTo limit: Int) async throws -> ByteBuffer {
        var iterator = makeAsyncIterator()
        guard var collected = try await iterator.next() else { return ByteBuffer() }
        while var more = try await iterator.next() {
            guard collected.readableBytes + more.readableBytes <= limit else { throw UpstreamTransportError.bodyTooLarge }
            collected.writeBuffer(&more)
        }
        guard collected.readableBytes <= limit else { throw UpstreamTransportError.bodyTooLarge }
        return collected
    }
}

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
