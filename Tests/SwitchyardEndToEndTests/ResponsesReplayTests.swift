import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardTesting
import Testing

/// One Responses event as a client received it.
private struct ReceivedEvent: Sendable, Equatable {
    /// The `event:` line.
    var name: String
    var type: String?
    var sequenceNumber: Int?
    /// The id of the response the event carries, if it carries one.
    var responseID: String?
    var delta: String?
    /// The whole `data:` object with its keys sorted, to compare events received on different streams.
    var canonical: String
}

/// The events of a Responses SSE text, in order.
private func receivedEvents(_ text: String) -> [ReceivedEvent] {
    text.components(separatedBy: "\n\n").compactMap { frame -> ReceivedEvent? in
        var name = ""
        var data = ""
        for line in frame.split(separator: "\n") {
            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
        }
        guard !data.isEmpty, let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any],
            let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else { return nil }
        return ReceivedEvent(
            name: name, type: object["type"] as? String, sequenceNumber: object["sequence_number"] as? Int,
            responseID: (object["response"] as? [String: Any])?["id"] as? String, delta: object["delta"] as? String,
            canonical: String(decoding: sorted, as: UTF8.self))
    }
}

/// Sends a request to the gateway and returns as soon as the response head arrives, its body still to be read.
private func openStream(_ gateway: GatewayClient, _ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> HTTPClientResponse {
    var request = HTTPClientRequest(url: gateway.baseURL + path)
    request.method = method
    request.headers.add(name: "authorization", value: "Bearer \(GatewayHarness.masterKey)")
    if let body {
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    return try await HTTPClient.shared.execute(request, timeout: .seconds(30))
}

/// Reads a Responses event stream as it arrives.
private struct EventStreamReader {
    var iterator: HTTPClientResponse.Body.AsyncIterator
    var text = ""

    init(_ response: HTTPClientResponse) {
        iterator = response.body.makeAsyncIterator()
    }

    /// Reads until at least `count` events arrived, or the stream ended; every event so far.
    mutating func read(atLeast count: Int) async throws -> [ReceivedEvent] {
        while receivedEvents(text).count < count, let part = try await iterator.next(isolation: #isolation) { text += String(buffer: part) }
        return receivedEvents(text)
    }

    /// Reads to the end of the stream; every event.
    mutating func readAll() async throws -> [ReceivedEvent] {
        while let part = try await iterator.next(isolation: #isolation) { text += String(buffer: part) }
        return receivedEvents(text)
    }
}

@Suite("Responses replay with starting_after")
struct ResponsesReplayTests {
    @Test("a running background response, replayed from the start and after a sequence number, matches its own stream event for event")
    func liveReplay() async throws {
        let (gate, openGate) = AsyncStream<Void>.makeStream()
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Hel", "lo", " there"], includeUsage: true)
        let upstream = UpstreamDouble { _ in
            // Held until every replay is attached, so that each one reads the running response's own event log.
            for await _ in gate {}
            return .events(chunks.map { .data($0) } + [.done])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                defer { openGate.finish() }
                let created = try await openStream(
                    gateway, .POST, "/v1/responses", body: #"{"model":"chat","input":"Hi","background":true,"stream":true,"store":true}"#)
                #expect(created.status == .ok)
                var original = EventStreamReader(created)
                // response.created is sent before the upstream is asked, and names the response.
                let opening = try await original.read(atLeast: 1)
                let id = try #require(opening.first?.responseID, "\(original.text)")

                // Each replay's head arrives once it has joined the running response.
                let middle = 4
                let fromStart = try await openStream(gateway, .GET, "/v1/responses/\(id)?stream=true")
                let fromMiddle = try await openStream(gateway, .GET, "/v1/responses/\(id)?stream=true&starting_after=\(middle)")
                let beyondEnd = try await openStream(gateway, .GET, "/v1/responses/\(id)?stream=true&starting_after=1000")
                for response in [fromStart, fromMiddle, beyondEnd] {
                    #expect(response.status == .ok)
                    #expect(response.headers.first(name: "content-type") == "text/event-stream")
                }
                openGate.finish()

                let events = try await original.readAll()
                #expect(events.map { $0.sequenceNumber ?? -1 } == Array(0..<events.count))
                #expect(events.first?.type == "response.created" && events.last?.type == "response.completed")
                #expect(events.compactMap(\.delta) == ["Hel", "lo", " there"])
                #expect(events.count > middle + 2, "the sequence number resumed after lies inside the stream")

                var replay = EventStreamReader(fromStart)
                let replayed = try await replay.readAll()
                #expect(replayed == events)

                var resume = EventStreamReader(fromMiddle)
                let resumed = try await resume.readAll()
                #expect(resumed.first?.sequenceNumber == middle + 1)
                #expect(resumed.map { $0.sequenceNumber ?? -1 } == Array((middle + 1)..<events.count))
                #expect(resumed == Array(events.dropFirst(middle + 1)))

                var beyond = EventStreamReader(beyondEnd)
                let nothing = try await beyond.readAll()
                #expect(nothing.isEmpty, "\(beyond.text)")
                #expect(!beyond.text.contains("data:"))
            }
        }
    }

    @Test("a finished stored response replays from the start, after any sequence number, and nothing after its last")
    func finishedReplay() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Hello", " there"], includeUsage: true)
        let upstream = UpstreamDouble { _ in .events(chunks.map { .data($0) } + [.done]) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let live = receivedEvents(try await gateway.stream("/v1/responses", body: #"{"model":"chat","input":"Hi","stream":true}"#).text)
                #expect(live.last?.type == "response.completed")
                let id = try #require(live.last?.responseID)

                let full = try await gateway.request(.GET, "/v1/responses/\(id)?stream=true")
                #expect(full.status == 200)
                #expect(full.headers.first(name: "content-type") == "text/event-stream")
                let events = receivedEvents(full.body)
                #expect(events.map { $0.sequenceNumber ?? -1 } == Array(0..<events.count))
                #expect(events.first?.type == "response.created" && events.last?.type == "response.completed")
                #expect(events.allSatisfy { $0.name == $0.type })
                #expect(events.last?.responseID == id)
                #expect(events.compactMap(\.delta).joined() == "Hello there")
                #expect(events.count >= 4)

                for after in [0, 1, events.count / 2, events.count - 2] {
                    let reply = try await gateway.request(.GET, "/v1/responses/\(id)?stream=true&starting_after=\(after)")
                    #expect(reply.status == 200)
                    let resumed = receivedEvents(reply.body)
                    #expect(resumed.map { $0.sequenceNumber ?? -1 } == Array((after + 1)..<events.count), "starting_after=\(after)")
                    #expect(resumed == Array(events.dropFirst(after + 1)), "starting_after=\(after)")
                }

                // At or past the last event: a well-formed stream that ends without an event.
                for after in [events.count - 1, events.count, 1_000_000_000] {
                    let reply = try await gateway.request(.GET, "/v1/responses/\(id)?stream=true&starting_after=\(after)")
                    #expect(reply.status == 200, "starting_after=\(after)")
                    #expect(reply.headers.first(name: "content-type") == "text/event-stream")
                    #expect(!reply.body.contains("data:"), "starting_after=\(after): \(reply.body)")
                }
                // One past the largest accepted value is refused, naming the parameter.
                let refused = try await gateway.request(.GET, "/v1/responses/\(id)?stream=true&starting_after=1000000001")
                #expect(refused.status == 400)
                #expect((refused.json["error"] as? [String: Any])?["param"] as? String == "starting_after", "\(refused.body)")
            }
        }
    }
}
