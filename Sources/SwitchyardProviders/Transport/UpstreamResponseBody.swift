import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore

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
                    return try await iterator.next(isolation: #isolation)
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
