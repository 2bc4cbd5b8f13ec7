import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import NIOCore
import SwitchyardTesting
import Synchronization
import Testing

@Suite("Streamed chat completions")
struct StreamingTests {
    @Test("events are relayed in order with the public model name, usage and [DONE] included")
    func relay() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Hel", "lo"], includeUsage: true)
        let upstream = UpstreamDouble { _ in .events(chunks.map { .data($0) } + [.done]) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#)
                let (status, headers, text) = try await gateway.stream(body: body)
                #expect(status == 200)
                #expect(headers.first(name: "content-type") == "text/event-stream")
                let events = sseData(text)
                #expect(events.count == chunks.count + 1)
                #expect(events.last == "[DONE]")
                for (sent, received) in zip(chunks, events) {
                    #expect(received == sent.replacingOccurrences(of: #""model":"up-model""#, with: #""model":"chat""#))
                }
                #expect(upstream.requests.first?.text.contains(#""stream_options":{"include_usage":true}"#) == true)
                #expect(upstream.requests.first?.headers[.accept] == "text/event-stream")
            }
        }
    }

    @Test("the first event reaches the client while the upstream is still sending")
    func noBuffering() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b"])
        // The upstream sends the rest only once the client has the first event (or after 30 s, which a gateway that
        // buffered would need): the order of the two tells, however slow the machine.
        let clientHasFirstEvent = Gate()
        let upstream = UpstreamDouble { _ in
            .events([.data(chunks[0]), .data(chunks[1], once: clientHasFirstEvent), .data(chunks[2]), .data(chunks[3]), .done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                defer { clientHasFirstEvent.open() }
                let (_, _, text) = try await gateway.stream(body: chatBody(stream: true)) { piece, _ in
                    if piece.contains("data: ") { clientHasFirstEvent.open() }
                    return true
                }
                #expect(!clientHasFirstEvent.openedByLimit, "the first event came only after the upstream's pause")
                #expect(sseData(text).count == chunks.count + 1)
                #expect(sseData(text).last == "[DONE]")
            }
        }
    }

    @Test("the response head reaches the client before the first event")
    func headBeforeFirstEvent() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a"])
        // The upstream's first event waits until the client has the head (or 30 s, which a gateway that held the head
        // back for the first event would need).
        let clientHasHead = Gate()
        let upstream = UpstreamDouble { _ in
            .events([.data(chunks[0], once: clientHasHead)] + chunks.dropFirst().map { .data($0) } + [.done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                defer { clientHasHead.open() }
                var request = HTTPClientRequest(url: gateway.baseURL + "/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "authorization", value: "Bearer \(GatewayHarness.masterKey)")
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: chatBody(stream: true)))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                clientHasHead.open()
                #expect(response.status == .ok)
                #expect(!clientHasHead.openedByLimit, "the head came only with the first event")
                var text = ""
                for try await part in response.body { text += String(buffer: part) }
                #expect(sseData(text).last == "[DONE]")
            }
        }
    }

    @Test("tool-call deltas pass through unchanged")
    func toolCallDeltas() async throws {
        let fixture = try Fixture.lines("stream-tool-calls.sse")
        let upstream = UpstreamDouble { _ in .events(fixture.map { .data($0) } + [.done]) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = try Fixture.text("request-tools.json").replacingOccurrences(of: "\"gpt-4o\"", with: "\"chat\"")
                let (status, _, text) = try await gateway.stream(body: body.replacingOccurrences(of: "\"stream\": false", with: "\"stream\": true"))
                #expect(status == 200)
                let events = sseData(text)
                #expect(events.dropLast() == fixture.map { $0.replacingOccurrences(of: #""model":"gpt-4o-2024-08-06""#, with: #""model":"chat""#) }[...])
            }
        }
    }

    @Test("a client that disconnects cancels the upstream request at once, even while the upstream is silent")
    func clientDisconnect() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b"])
        let upstream = UpstreamDouble { _ in
            .events([.data(chunks[0]), .data(chunks[1]), .data(chunks[2], after: .seconds(10)), .data(chunks[3]), .done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                var received = 0
                _ = try await gateway.stream(body: chatBody(stream: true)) { piece, _ in
                    received += piece.components(separatedBy: "data: ").count - 1
                    return received < 2
                }
                // Closed while the upstream is still silent (its next event is 10 s away): the gateway did not wait
                // for a write to fail.
                let left = ContinuousClock.now
                while upstream.closedStreamConnectionCount == 0 && ContinuousClock.now - left < .seconds(8) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(upstream.closedStreamConnectionCount == 1)
                #expect(upstream.completedStreamCount == 0)
            }
        }
    }

    @Test("a client that leaves during the second stream on its connection cancels that stream's upstream request")
    func disconnectOnReusedConnection() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b"])
        let requests = Atomic<Int>(0)
        let upstream = UpstreamDouble { _ in
            if requests.add(1, ordering: .relaxed).newValue == 1 { return .events(chunks.map { .data($0) } + [.done]) }
            return .events([.data(chunks[0]), .data(chunks[1], after: .seconds(10)), .done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = chatBody(stream: true)
                let request = ByteBuffer(string: RawConnection.chatRequestHead(body: body) + body)
                let (first, second) = try await RawConnection.with(port: gateway.port) { writer, inbound in
                    try await writer.write(request)
                    var first = ""
                    while !first.contains("data: [DONE]"), let part = try await inbound.next(isolation: #isolation) { first += String(buffer: part) }
                    try await writer.write(request)
                    var second = ""
                    while !second.contains("data: {"), let part = try await inbound.next(isolation: #isolation) { second += String(buffer: part) }
                    // Nothing is closed while the client stays.
                    #expect(upstream.closedStreamConnectionCount == 0)
                    return (first, second)
                }
                #expect(first.contains("data: [DONE]"))
                #expect(second.contains("data: {"))
                // Closed while the upstream is still silent (its next event is 10 s away).
                let left = ContinuousClock.now
                while upstream.closedStreamConnectionCount == 0 && ContinuousClock.now - left < .seconds(8) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(requests.load(ordering: .relaxed) == 2)
                // Counted once per stream the closed connection carried: the second stream's, and the first's too
                // when the second reused its connection.
                #expect(upstream.closedStreamConnectionCount >= 1)
                #expect(upstream.completedStreamCount == 1)
            }
        }
    }

    @Test("an upstream that dies mid-stream ends the client stream with an error event")
    func upstreamDies() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["partial"])
        let upstream = UpstreamDouble { _ in .events([.data(chunks[0]), .data(chunks[1])], thenDie: true) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let start = ContinuousClock.now
                let (status, _, text) = try await gateway.stream(body: chatBody(stream: true))
                #expect(status == 200)
                #expect(ContinuousClock.now - start < .seconds(5))
                let events = sseData(text)
                // The chunks the upstream wrote before it died (the second may be lost with the connection), then the error.
                #expect((2...3).contains(events.count), "\(events)")
                #expect(events.first?.contains("chat.completion.chunk") == true)
                let error = try #require(events.last)
                #expect(error.hasPrefix(#"{"error":{"message":"#))
                #expect(error.contains("broke off"))
            }
        }
    }

    @Test("an upstream that falls silent mid-stream is cut after the idle timeout")
    func idleTimeout() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a"])
        let upstream = UpstreamDouble { _ in .events([.data(chunks[0]), .data(chunks[1], after: .seconds(10))]) }
        let yaml = GatewayHarness.singleModel.replacingOccurrences(
            of: "api_key: sk-upstream-key", with: "api_key: sk-upstream-key\n    stream_idle_timeout_seconds: 0.5")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let start = ContinuousClock.now
                let (_, _, text) = try await gateway.stream(body: chatBody(stream: true))
                // Cut long before the upstream's next event, 10 s away.
                #expect(ContinuousClock.now - start < .seconds(8))
                #expect(sseData(text).last?.contains("silent for more than 0.5 s") == true)
            }
        }
    }

    @Test("a stream that outlasts total_timeout_seconds is ended with a timeout error")
    func totalTimeout() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: Array(repeating: "x", count: 24))
        let upstream = UpstreamDouble { _ in .events(chunks.map { .data($0, after: .milliseconds(250)) } + [.done]) }
        let yaml = GatewayHarness.singleModel.replacingOccurrences(
            of: "api_key: sk-upstream-key", with: "api_key: sk-upstream-key\n    total_timeout_seconds: 2")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let start = ContinuousClock.now
                let (status, _, text) = try await gateway.stream(body: chatBody(stream: true))
                // Ended by the 2 s timeout, long before the upstream's own end (over 6 s), with room for a loaded machine.
                #expect(ContinuousClock.now - start < .milliseconds(5500))
                if status == 200 {
                    let events = sseData(text)
                    #expect(events.count < chunks.count)
                    #expect(events.last?.contains("did not finish within 2 s") == true)
                } else {
                    // A machine so loaded that no chunk arrived within the limit: the error comes before the stream starts.
                    #expect(status == 504)
                    #expect(text.contains("did not finish within 2 s"))
                }
            }
        }
    }
}
