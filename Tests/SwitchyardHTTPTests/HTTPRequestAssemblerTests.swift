import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import SwitchyardHTTP

/// Every `await queue.next()` here finds a request queued or the queue closed, so none suspends: the embedded
/// event loop is only ever used from the test's own thread. A regression that left the queue open would wait, so
/// the suite has a time limit.
@Suite("A connection's request assembler", .timeLimit(.minutes(1)))
struct HTTPRequestAssemblerTests {
    /// A channel reading HTTP/1 into an assembler that hands requests to `queue`.
    static func channel(handingTo queue: InboundRequestQueue) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.pipeline.syncOperations.addHandler(HTTPRequestAssembler(requests: queue, maximumBody: 1 << 20))
        return channel
    }

    static func post(_ path: String, body: String) -> String {
        "POST \(path) HTTP/1.1\r\nhost: gateway\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("pipelined requests reach the task whole and in order")
    func pipelined() async throws {
        let queue = InboundRequestQueue()
        let channel = try Self.channel(handingTo: queue)
        try channel.writeInbound(ByteBuffer(string: Self.post("/a", body: "first") + Self.post("/b", body: "second")))
        let first = await queue.next()
        let second = await queue.next()
        #expect(first?.request.uri.path == "/a")
        #expect(first?.body == ByteBuffer(string: "first"))
        #expect(second?.request.uri.path == "/b")
        #expect(second?.body == ByteBuffer(string: "second"))
        _ = try? channel.finish()
    }

    /// A client that pipelined and left cannot read an answer: the requests it queued are not run, so none is
    /// sent upstream at its key's cost after it has gone.
    @Test("requests still queued when the client's connection closes are dropped")
    func closedConnection() async throws {
        let queue = InboundRequestQueue()
        let channel = try Self.channel(handingTo: queue)
        try channel.writeInbound(ByteBuffer(string: Self.post("/a", body: "first") + Self.post("/b", body: "second")))
        #expect(await queue.next()?.request.uri.path == "/a")
        // The first request is in flight when the client leaves; the second is still queued.
        try await channel.close()
        #expect(await queue.next() == nil)
    }
}
