import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import SwitchyardTesting
import Testing

@testable import SwitchyardHTTP

@Suite("A connection's request queue")
struct InboundRequestQueueTests {
    static func inbound(_ path: String) -> InboundHTTPRequest {
        let head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: path)
        let body = ByteBuffer(string: path)
        return InboundHTTPRequest(request: Request(head: head, body: RequestBody(buffer: body)), body: body, version: .http1_1, keepAlive: true, bodyless: false)
    }

    @Test("requests queued before the task asks come out in order")
    func inOrder() async {
        let queue = InboundRequestQueue()
        queue.yield(Self.inbound("/a"))
        queue.yield(Self.inbound("/b"))
        #expect(await queue.next()?.request.uri.path == "/a")
        #expect(await queue.next()?.request.uri.path == "/b")
        queue.close()
        #expect(await queue.next() == nil)
    }

    @Test("a waiting task gets the request yielded after it asked")
    func waiting() async {
        let queue = InboundRequestQueue()
        let asked = Gate()
        async let received: String? = {
            asked.open()
            return await queue.next()?.request.uri.path
        }()
        await asked.wait()
        while !queue.taskIsWaiting { await Task.yield() }
        queue.yield(Self.inbound("/later"))
        #expect(await received == "/later")
    }

    /// Closing follows the connection's close, when no answer can reach the client: a pipelined request still
    /// queued then must not be run (and sent upstream, at the caller's cost).
    @Test("closing drops what is queued and what comes later, and ends a waiting task")
    func closeDrops() async {
        let queue = InboundRequestQueue()
        queue.yield(Self.inbound("/queued"))
        queue.close()
        queue.yield(Self.inbound("/after"))
        #expect(await queue.next() == nil)
        #expect(await queue.next() == nil)

        let waitingQueue = InboundRequestQueue()
        let asked = Gate()
        async let received: InboundHTTPRequest? = {
            asked.open()
            return await waitingQueue.next()
        }()
        await asked.wait()
        while !waitingQueue.taskIsWaiting { await Task.yield() }
        waitingQueue.close()
        #expect(await received == nil)
    }
}
