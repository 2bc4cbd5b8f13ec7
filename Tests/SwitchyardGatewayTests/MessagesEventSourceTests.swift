import NIOCore
import Synchronization
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// A routed stream as the Messages API's events: hub chunks translated, an Anthropic upstream's own events relayed
/// under the public model name, the closing events after the last chunk, and abandonment passed down.
@Suite("Messages event source")
struct MessagesEventSourceTests {
    /// Yields scripted events, then ends; counts abandonment.
    struct ScriptedSource: ChatEventSource {
        var events: [ChatStreamEvent]
        let abandonCount: @Sendable () -> Void

        mutating func next() async throws -> ChatStreamEvent? {
            events.isEmpty ? nil : events.removeFirst()
        }

        mutating func abandon() { abandonCount() }
    }

    final class Counter: Sendable {
        let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
    }

    static func source(_ events: [ChatStreamEvent], counter: Counter = Counter()) -> MessagesEventSource {
        let stream = ChatEventStream { ScriptedSource(events: events, abandonCount: { counter.add() }) }
        return MessagesEventSource(base: stream.makeAsyncIterator(), model: "chat")
    }

    static func chunk(_ json: String) -> ChatStreamEvent { .chunk(ByteBuffer(string: json)) }

    static func readAll(_ source: inout MessagesEventSource) async throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        while let event = try await source.next() {
            guard case .native(let native) = event else {
                Issue.record("a hub event reached the Messages client: \(event)")
                continue
            }
            events.append(native)
        }
        return events
    }

    @Test("hub chunks become Messages events in Anthropic's order, closed by message_stop")
    func translatesHubChunks() async throws {
        var source = Self.source([
            Self.chunk(#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}"#),
            Self.chunk(#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#),
            Self.chunk(#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#),
            .done,
        ])
        let events = try await Self.readAll(&source)
        let types = events.map(\.event)
        #expect(types.first == "message_start")
        #expect(types.last == "message_stop")
        #expect(types.contains("content_block_delta"))
        #expect(types.contains("message_delta"))
        let start = try JSONValue(decoding: events[0].data)
        #expect(start["message"]?["model"]?.string == "chat")
        let text = events.filter { $0.event == "content_block_delta" }.compactMap { try? JSONValue(decoding: $0.data)["delta"]?["text"]?.string }
        #expect(text.joined() == "Hello")
        #expect(try await source.next() == nil, "nothing after the end")
    }

    @Test("an Anthropic upstream's own events pass as they came, with the public model in message_start, and nothing is added")
    func relaysNativeEvents() async throws {
        let start = ServerSentEvent(
            event: "message_start", data: ByteBuffer(string: #"{"type":"message_start","message":{"id":"msg_1","model":"claude-up","content":[]}}"#))
        let delta = ServerSentEvent(
            event: "content_block_delta", data: ByteBuffer(string: #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#))
        let stop = ServerSentEvent(event: "message_stop", data: ByteBuffer(string: #"{"type":"message_stop"}"#))
        var source = Self.source([.native(start), .native(delta), .native(stop)])
        let events = try await Self.readAll(&source)
        #expect(events.count == 3)
        #expect(events.map(\.event) == ["message_start", "content_block_delta", "message_stop"])
        #expect(try JSONValue(decoding: events[0].data)["message"]?["model"]?.string == "chat")
        #expect(events[1] == delta)
        #expect(events[2] == stop)
    }

    @Test("a chunk that is not JSON fails the stream with the upstream's error")
    func refusesBrokenChunks() async throws {
        var source = Self.source([Self.chunk("not json")])
        await #expect(throws: GatewayError.self) { _ = try await source.next() }
    }

    @Test("abandoning the Messages stream abandons the routed stream beneath it, so it settles")
    func abandonReachesTheBase() async throws {
        let counter = Counter()
        var source = Self.source([Self.chunk(#"{"choices":[{"index":0,"delta":{"content":"x"}}]}"#)], counter: counter)
        _ = try await source.next()
        source.abandon()
        #expect(counter.value.withLock { $0 } == 1)
    }
}
