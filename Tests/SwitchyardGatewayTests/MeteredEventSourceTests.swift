import Logging
import NIOCore
import Synchronization
import SwitchyardCore
import SwitchyardTesting
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// The metered relay of a streamed answer, over a scripted upstream stream: what it passes on, what it reads, and
/// how it settles.
@Suite("Metered event source")
struct MeteredEventSourceTests {
    static let upstreamModel = "gpt-4o-mini-2024-07-18"

    /// A metered stream and what it settles into.
    struct Fixture {
        var source: MeteredEventSource
        let monitor: TargetMonitor
        let store: MemoryUsageStore
        let recorder: UsageRecorder

        mutating func next() async throws -> ChatStreamEvent? {
            try await source.next()
        }

        mutating func readAll() async throws -> [ChatStreamEvent] {
            var events: [ChatStreamEvent] = []
            while let event = try await source.next() { events.append(event) }
            return events
        }

        /// The usage records written so far.
        func records() async -> [UsageRecord] {
            await recorder.flush()
            return store.records.withLock { $0 }
        }
    }

    /// Relays `outcome` (a scripted stream) of the upstream model under the public name `chat`, for a request whose
    /// prompt is estimated at 250 tokens.
    static func fixture(_ outcome: ScriptedProvider.Outcome, hidesUsage: Bool = true) async throws -> Fixture {
        var logger = Logger(label: "metered-event-source-tests")
        logger.logLevel = .critical
        let store = MemoryUsageStore()
        let recorder = UsageRecorder(store: store, logger: logger)
        let meter = UsageMeter(recorder: recorder, spend: SpendLedger(store: store, logger: logger))
        let target = Target(provider: "up", model: Self.upstreamModel, price: Price(input: 1, output: 2))
        let monitor = TargetMonitor(target: target, breaker: CircuitBreakerPolicy())
        let lease = try monitor.admit(estimatedTokens: 250, at: .now).get()
        let context = UpstreamContext(requestID: "req", logger: logger, stopwatch: UpstreamStopwatch())
        let settlement = StreamSettlement(
            lease: lease, permit: nil,
            settlement: Settlement(meter: meter, context: context, caller: nil, model: "chat", target: target, started: .now),
            estimatedPromptTokens: 250)
        let provider = ScriptedProvider()
        provider.script(Self.upstreamModel, outcome)
        let request = ChatRequest(body: ByteBuffer(string: #"{"model":"chat","stream":true}"#), model: "chat", stream: true)
        let upstream = try await provider.streamChat(request, model: Self.upstreamModel, context: context)
        let source = MeteredEventSource(base: upstream.makeAsyncIterator(), settlement: settlement, publicName: "chat", hidesUsage: hidesUsage)
        return Fixture(source: source, monitor: monitor, store: store, recorder: recorder)
    }

    /// Role, two pieces of text, finish, and the usage chunk (9 prompt and 12 completion tokens).
    static let chunks = OpenAIWireSamples.chatChunks(model: MeteredEventSourceTests.upstreamModel, pieces: ["Hel", "lo"], includeUsage: true)

    static func text(_ event: ChatStreamEvent) -> String? {
        guard case .chunk(let data) = event else { return nil }
        return String(buffer: data)
    }

    @Test("the usage is read from the final chunk, and that chunk is not passed on when the gateway asked for it")
    func hiddenUsage() async throws {
        var fixture = try await Self.fixture(.chunks(Self.chunks), hidesUsage: true)
        let events = try await fixture.readAll()
        let texts = events.compactMap(Self.text)
        #expect(texts.count == 4, "role, two pieces and finish; the usage chunk is held back")
        let usageRelayed = texts.contains { $0.contains(#""usage""#) }
        #expect(!usageRelayed)
        #expect(events.last == .done)
        let records = await fixture.records()
        #expect(records.count == 1)
        #expect(records.first?.status == 200)
        #expect(records.first?.promptTokens == 9)
        #expect(records.first?.completionTokens == 12)
        #expect(records.first.map { abs($0.costUSD - 0.000_033) < 1e-12 } == true, "9 × $1 + 12 × $2 per million")
    }

    @Test("the usage chunk is passed on, under the public name, when the client asked for it")
    func passedUsage() async throws {
        var fixture = try await Self.fixture(.chunks(Self.chunks), hidesUsage: false)
        let texts = try await fixture.readAll().compactMap(Self.text)
        #expect(texts.count == 5)
        let usage = try #require(texts.last)
        #expect(usage.contains(#""usage":{"prompt_tokens":9"#))
        #expect(usage.contains(#""model":"chat""#))
        let records = await fixture.records()
        #expect(records.first?.completionTokens == 12)
    }

    @Test("every chunk carries the public model name instead of the upstream's")
    func publicName() async throws {
        var fixture = try await Self.fixture(.chunks(Self.chunks))
        let texts = try await fixture.readAll().compactMap(Self.text)
        #expect(!texts.isEmpty)
        for text in texts {
            #expect(text.contains(#""model":"chat""#))
            #expect(!text.contains(Self.upstreamModel))
        }
    }

    @Test("a chunk that is not JSON is passed on untouched")
    func opaqueChunk() async throws {
        let odd = ByteBuffer(string: ": keep-alive")
        var fixture = try await Self.fixture(.stream([.chunk(odd), .done]))
        let events = try await fixture.readAll()
        #expect(events == [.chunk(odd), .done])
    }

    @Test("the stream is settled once, when it ends, and not again")
    func settledOnceAtTheEnd() async throws {
        var fixture = try await Self.fixture(.chunks(Self.chunks))
        for _ in 0..<3 { _ = try await fixture.next() }
        #expect(fixture.monitor.inFlight == 1, "the target's lease is held while the stream flows")
        let whileFlowing = await fixture.records()
        #expect(whileFlowing.isEmpty)
        while try await fixture.next() != nil {}
        #expect(fixture.monitor.inFlight == 0)
        #expect(fixture.monitor.snapshot().latency != nil, "finished as a success")
        let afterTheEnd = try await fixture.next()
        #expect(afterTheEnd == nil)
        fixture.source.abandon()
        let records = await fixture.records()
        #expect(records.map(\.status) == [200], "the end of the stream settled it; nothing after counts")
    }

    @Test("a stream abandoned before its end is settled as abandoned (499), charged the prompt's estimate")
    func abandoned() async throws {
        var fixture = try await Self.fixture(.chunks(Self.chunks))
        _ = try await fixture.next()
        _ = try await fixture.next()
        fixture.source.abandon()
        #expect(fixture.monitor.inFlight == 0)
        let records = await fixture.records()
        #expect(records.map(\.status) == [499])
        #expect(records.first?.promptTokens == 250, "no usage came: the prompt's estimate")
        #expect(records.first?.completionTokens == 2, "a token for each chunk relayed")
        let snapshot = fixture.monitor.snapshot()
        #expect(snapshot.failures == 0 && snapshot.latency == nil, "an abandoned request tells nothing about the target")
    }

    @Test("a stream dropped unread is settled as abandoned")
    func droppedUnread() async throws {
        let store: MemoryUsageStore
        let recorder: UsageRecorder
        do {
            let fixture = try await Self.fixture(.chunks(Self.chunks))
            store = fixture.store
            recorder = fixture.recorder
        }
        await recorder.flush()
        let records = store.records.withLock { $0 }
        #expect(records.map(\.status) == [499])
    }

    @Test("a stream the upstream breaks off is settled as failed, with the upstream's status")
    func failedMidStream() async throws {
        let broken = GatewayError.upstreamUnavailable("The upstream closed the stream.")
        let events = Self.chunks.prefix(2).map { ChatStreamEvent.chunk(ByteBuffer(string: $0)) }
        var fixture = try await Self.fixture(.stream(events, failure: broken))
        _ = try await fixture.next()
        _ = try await fixture.next()
        do {
            _ = try await fixture.next()
            Issue.record("the stream went on after the upstream broke it off")
        } catch let error as GatewayError {
            #expect(error == broken)
        }
        let records = await fixture.records()
        #expect(records.map(\.status) == [502])
        #expect(records.first?.promptTokens == 250, "something was relayed, so the prompt is charged")
        #expect(fixture.monitor.snapshot().failures == 1)
        #expect(fixture.monitor.inFlight == 0)
    }

    @Test("Anthropic events pass through unchanged, and their usage is read")
    func nativeEvents() async throws {
        let pairs: [(event: String, data: String)] = [
            (
                "message_start",
                #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"usage":{"input_tokens":40,"output_tokens":1}}}"#
            ),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ]
        let native = pairs.map { ChatStreamEvent.native(ServerSentEvent(event: $0.event, data: ByteBuffer(string: $0.data))) }
        var fixture = try await Self.fixture(.stream(native))
        let events = try await fixture.readAll()
        #expect(events == native)
        let records = await fixture.records()
        #expect(records.first?.promptTokens == 40)
        #expect(records.first?.completionTokens == 15)
        #expect(records.first?.status == 200)
    }
}
