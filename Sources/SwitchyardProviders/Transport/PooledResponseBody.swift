import NIOCore
import NIOHTTP1
import Synchronization

/// The body of an answer carried by a ``PooledHTTP1Transport``. When the last reference to it goes before the
/// body ended, the exchange is abandoned and its connection closed.
final class PooledResponseBody: Sendable {
    private let exchange: UpstreamExchange

    init(_ exchange: UpstreamExchange) {
        self.exchange = exchange
    }

    func next() async throws -> ByteBuffer? {
        try await exchange.next()
    }

    deinit {
        exchange.abandon()
    }
}
