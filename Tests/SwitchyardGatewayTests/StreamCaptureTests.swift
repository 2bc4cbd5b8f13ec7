import NIOCore
import Synchronization
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// A streamed answer gathered into the chat completion it adds up to, a cached completion replayed as chunks, and
/// the relay that hands a stream's whole answer to the cache only when the stream ended cleanly.
@Suite("Stream capture")
struct StreamCaptureTests {
    /// Captures `chunks`, followed by the usage chunk unless `withUsage` is false.
    static func capture(_ chunks: [String], withUsage: Bool = true) throws -> StreamCapture {
        var capture = StreamCapture()
        for chunk in chunks + (withUsage ? [usageChunk] : []) { capture.add(try JSONValue(decoding: chunk)) }
        return capture
    }

    /// A chunk of choice 0 with `delta` (JSON text) and, optionally, a finish reason.
    static func chunk(_ delta: String, finish: String? = nil, index: Int = 0) -> String {
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        let text =
            #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-up","choices":[{"index":\#(index),"delta":\#(delta),"finish_reason":\#(reason)}],"usage":null}"#
        return text
    }

    static let usage = #"{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}"#
    static let usageChunk =
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-up","choices":[],"usage":\#(StreamCaptureTests.usage)}"#

    static let textChunks: [String] = [
        StreamCaptureTests.chunk(#"{"role":"assistant","content":""}"#),
        StreamCaptureTests.chunk(#"{"content":"Hel"}"#),
        StreamCaptureTests.chunk(#"{"content":"lo"}"#),
        StreamCaptureTests.chunk("{}", finish: "stop"),
    ]

    // MARK: StreamCapture

    @Test("text pieces are joined into one chat.completion with the stream's id, created and model")
    func joinsText() throws {
        let capture = try Self.capture(Self.textChunks)
        let completion = try #require(capture.completion)
        let expected = try JSONValue(
            decoding: #"""
                {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-up",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop","logprobs":null}],
                 "usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}
                """#)
        #expect(completion == expected)
        #expect(try Self.capture(Self.textChunks, withUsage: false).completion == nil, "a stream that reported no usage is not kept")
    }

    @Test("tool calls are gathered by index: ids, types and names kept, arguments joined from their fragments")
    func gathersToolCalls() throws {
        let capture = try Self.capture([
            Self.chunk(
                #"{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}"#
            ),
            Self.chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}"#),
            Self.chunk(#"{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]}"#),
            Self.chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}"#),
            Self.chunk("{}", finish: "tool_calls"),
        ])
        let completion = try #require(capture.completion)
        let choice = try #require(completion["choices"]?.array?.first)
        let message = try #require(choice["message"])
        let expected = try JSONValue(
            decoding: #"""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                  {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]}
                """#)
        #expect(message == expected)
        #expect(choice["finish_reason"] == "tool_calls")
    }

    @Test("reasoning pieces are joined beside the text")
    func joinsReasoning() throws {
        let capture = try Self.capture([
            Self.chunk(#"{"role":"assistant","reasoning_content":"Think"}"#),
            Self.chunk(#"{"reasoning_content":"ing."}"#),
            Self.chunk(#"{"content":"Done"}"#),
            Self.chunk("{}", finish: "stop"),
        ])
        let completion = try #require(capture.completion)
        let message = completion["choices"]?.array?.first?["message"]
        #expect(message?["reasoning_content"] == "Thinking.")
        #expect(message?["content"] == "Done")
    }

    @Test("the usage chunk is kept, whether it comes last on its own or on the finishing chunk")
    func keepsUsage() throws {
        let expectedUsage = try JSONValue(decoding: Self.usage)

        let separate = try Self.capture(Self.textChunks + [Self.usageChunk])
        let first = try #require(separate.completion)
        #expect(first["usage"] == expectedUsage)

        let finishing =
            #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-up","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":\#(Self.usage)}"#
        let together = try Self.capture(Array(Self.textChunks.dropLast()) + [finishing])
        let second = try #require(together.completion)
        #expect(second["usage"] == expectedUsage)
        #expect(second["choices"]?.array?.first?["message"]?["content"] == "Hello")
    }

    @Test("a stream with no finish reason has no completion")
    func noFinishReason() throws {
        let capture = try Self.capture(Array(Self.textChunks.dropLast()) + [Self.usageChunk])
        #expect(capture.representable)
        #expect(capture.completion == nil)
    }

    @Test("a choice other than 0 cannot be represented: no completion, even once choice 0 finishes")
    func otherChoice() throws {
        let capture = try Self.capture([
            Self.chunk(#"{"content":"A"}"#),
            Self.chunk(#"{"content":"B"}"#, index: 1),
            Self.chunk("{}", finish: "stop"),
        ])
        #expect(!capture.representable)
        #expect(capture.completion == nil)

        let both = try Self.capture([
            #"{"id":"c","choices":[{"index":0,"delta":{"content":"A"},"finish_reason":"stop"},{"index":1,"delta":{"content":"B"},"finish_reason":"stop"}]}"#
        ])
        #expect(!both.representable)
        #expect(both.completion == nil)
    }

    @Test("a refusal is kept as the message's refusal; log probabilities make a stream unkeepable")
    func refusalAndLogprobs() throws {
        let refused = try Self.capture([
            Self.chunk(#"{"role":"assistant","content":null,"refusal":"I can't"}"#),
            Self.chunk(#"{"refusal":" help with that."}"#),
            Self.chunk("{}", finish: "stop"),
        ])
        #expect(refused.completion?["choices"]?.array?.first?["message"]?["refusal"] == "I can't help with that.")
        let withLogprobs = try Self.capture([
            #"{"id":"c","choices":[{"index":0,"delta":{"content":"A"},"logprobs":{"content":[]},"finish_reason":"stop"}]}"#
        ])
        #expect(!withLogprobs.representable)
        #expect(withLogprobs.completion == nil)
    }

    @Test("a native event cannot be represented: no completion")
    func nativeEvent() throws {
        var capture = try Self.capture(Self.textChunks)
        #expect(capture.completion != nil)
        capture.sawNativeEvent()
        #expect(!capture.representable)
        #expect(capture.completion == nil)
        capture.add(try JSONValue(decoding: Self.chunk(#"{"content":"more"}"#, finish: "stop")))
        #expect(capture.completion == nil, "nothing after makes it representable again")
    }

    // MARK: CompletionReplay round trip

    static func roundTrip(_ completion: JSONValue, includeUsage: Bool) -> (chunks: [JSONValue], completion: JSONValue?) {
        let chunks = CompletionReplay.chunks(of: completion, includeUsage: includeUsage)
        var capture = StreamCapture()
        for chunk in chunks { capture.add(chunk) }
        return (chunks, capture.completion)
    }

    @Test("a text answer replayed and captured again is the same completion, usage included")
    func roundTripText() throws {
        let completion = try JSONValue(
            decoding: #"""
                {"id":"chatcmpl-9","object":"chat.completion","created":1700000001,"model":"gpt-up",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Paris is sunny."},"finish_reason":"stop","logprobs":null}],
                 "usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}
                """#)
        let (chunks, captured) = Self.roundTrip(completion, includeUsage: true)
        #expect(captured == completion)
        for chunk in chunks {
            #expect(chunk["object"] == "chat.completion.chunk")
            #expect(chunk["id"] == "chatcmpl-9")
            #expect(chunk["model"] == "gpt-up")
        }
        #expect(chunks.last?["usage"] == completion["usage"])
        #expect(chunks.last?["choices"] == .array([]), "the usage chunk has no choices")
    }

    @Test("an answer with text, reasoning and tool calls survives the round trip whole")
    func roundTripToolCalls() throws {
        let completion = try JSONValue(
            decoding: #"""
                {"id":"chatcmpl-7","object":"chat.completion","created":1700000002,"model":"gpt-up",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Checking.","reasoning_content":"The user wants weather.",
                   "tool_calls":[
                     {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                     {"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{\"tz\":\"CET\"}"}}]},
                   "finish_reason":"tool_calls","logprobs":null}],
                 "usage":{"prompt_tokens":30,"completion_tokens":20,"total_tokens":50}}
                """#)
        let (_, captured) = Self.roundTrip(completion, includeUsage: true)
        #expect(captured == completion)
    }

    @Test("a tool-call answer without text keeps its tool calls and finish reason, and gains no text")
    func roundTripToolCallsOnly() throws {
        let completion = try JSONValue(
            decoding: #"""
                {"id":"chatcmpl-8","object":"chat.completion","created":1700000003,"model":"gpt-up",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,
                   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                   "finish_reason":"tool_calls","logprobs":null}],
                 "usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}
                """#)
        let (_, captured) = Self.roundTrip(completion, includeUsage: true)
        let result = try #require(captured)
        let message = result["choices"]?.array?.first?["message"]
        let original = completion["choices"]?.array?.first?["message"]
        #expect(message?["tool_calls"] == original?["tool_calls"])
        #expect(result["choices"]?.array?.first?["finish_reason"] == "tool_calls")
        let content = message?["content"]
        #expect(content == .null, "\(String(describing: content))")
    }

    @Test("includeUsage false sends no usage chunk; a completion without usage sends none either")
    func noUsageChunk() throws {
        let completion = try JSONValue(
            decoding: #"""
                {"id":"chatcmpl-9","object":"chat.completion","created":1700000001,"model":"gpt-up",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"length","logprobs":null}],
                 "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}
                """#)
        let (withoutUsage, captured) = Self.roundTrip(completion, includeUsage: false)
        #expect(withoutUsage.allSatisfy { $0["usage"] == nil })
        #expect(withoutUsage.count == 2, "the opening chunk and the finishing chunk")
        #expect(captured == nil, "a replay without usage cannot be kept again")

        let (withUsage, _) = Self.roundTrip(completion, includeUsage: true)
        #expect(withUsage.count == 3)
        #expect(withUsage.last?["usage"] == completion["usage"])

        guard case .object(var members) = completion else {
            Issue.record("not an object")
            return
        }
        members["usage"] = nil
        let (nothingToSend, _) = Self.roundTrip(.object(members), includeUsage: true)
        #expect(nothingToSend.allSatisfy { $0["usage"] == nil })
    }

    @Test("a completion without a finish reason is replayed as finished with stop")
    func defaultFinishReason() throws {
        let completion = try JSONValue(
            decoding: #"{"id":"c","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"}}]}"#)
        let chunks = CompletionReplay.chunks(of: completion, includeUsage: false)
        #expect(chunks.last?["choices"]?.array?.first?["finish_reason"] == "stop")
        #expect(chunks.dropLast().allSatisfy { $0["choices"]?.array?.first?["finish_reason"] == .null })
    }

    // MARK: ObservingEventSource with AnswerObserver

    enum Step: Sendable {
        case event(ChatStreamEvent)
        case fail(GatewayError)
    }

    /// Yields scripted events (or throws where scripted), then ends; counts abandonment.
    struct ScriptedSource: ChatEventSource {
        var steps: [Step]
        let abandoned: @Sendable () -> Void

        mutating func next() async throws -> ChatStreamEvent? {
            guard !steps.isEmpty else { return nil }
            switch steps.removeFirst() {
            case .event(let event): return event
            case .fail(let error): throw error
            }
        }

        mutating func abandon() { abandoned() }
    }

    /// What reached the cache, and how often the base was abandoned.
    final class Recorder: Sendable {
        private let completions = Mutex<[JSONValue]>([])
        private let abandons = Mutex(0)

        func complete(_ completion: JSONValue) { completions.withLock { $0.append(completion) } }
        func abandon() { abandons.withLock { $0 += 1 } }
        var completed: [JSONValue] { completions.withLock { $0 } }
        var abandonCount: Int { abandons.withLock { $0 } }
    }

    static func capturing(_ steps: [Step], recorder: Recorder) -> ObservingEventSource<AnswerObserver> {
        let stream = ChatEventStream { ScriptedSource(steps: steps, abandoned: { recorder.abandon() }) }
        return ObservingEventSource(base: stream.makeAsyncIterator(), observer: AnswerObserver { completion in recorder.complete(completion) })
    }

    static func events(_ chunks: [String]) -> [ChatStreamEvent] {
        chunks.map { .chunk(ByteBuffer(string: $0)) }
    }

    @Test("the stream passes untouched, and its answer reaches the cache exactly once, after [DONE]")
    func completesOnceAfterDone() async throws {
        let recorder = Recorder()
        let scripted = Self.events(Self.textChunks + [Self.usageChunk]) + [.done]
        var source = Self.capturing(scripted.map(Step.event), recorder: recorder)
        var relayed: [ChatStreamEvent] = []
        while let event = try await source.next() {
            relayed.append(event)
            if event != .done {
                #expect(recorder.completed.isEmpty, "nothing is kept before the stream ends")
            }
        }
        #expect(relayed == scripted)
        let end = try await source.next()
        #expect(end == nil)
        let completed = recorder.completed
        #expect(completed.count == 1)
        let completion = try #require(completed.first)
        #expect(completion["choices"]?.array?.first?["message"]?["content"] == "Hello")
        let expectedUsage = try JSONValue(decoding: Self.usage)
        #expect(completion["usage"] == expectedUsage)
        #expect(recorder.abandonCount == 0)
    }

    @Test("a stream whose base throws mid-stream never reaches the cache, though its answer had finished")
    func failureIsNotKept() async throws {
        let recorder = Recorder()
        let steps: [Step] = Self.events(Self.textChunks).map(Step.event) + [.fail(.upstreamUnavailable("connection reset")), .event(.done)]
        var source = Self.capturing(steps, recorder: recorder)
        var thrown: (any Error)?
        do {
            while try await source.next() != nil {}
        } catch {
            thrown = error
        }
        #expect(thrown is GatewayError)
        #expect(recorder.completed.isEmpty)
    }

    @Test("an abandoned stream never reaches the cache, even if [DONE] is read after, and the base is abandoned")
    func abandonedIsNotKept() async throws {
        let recorder = Recorder()
        let scripted = Self.events(Self.textChunks) + [.done]
        var source = Self.capturing(scripted.map(Step.event), recorder: recorder)
        for _ in Self.textChunks { _ = try await source.next() }
        source.abandon()
        #expect(recorder.abandonCount == 1)
        let done = try await source.next()
        #expect(done == .done)
        let end = try await source.next()
        #expect(end == nil)
        #expect(recorder.completed.isEmpty)
    }

    @Test("a stream with a native event, or a chunk that is not JSON, is relayed but not kept")
    func unrepresentableIsNotKept() async throws {
        let native = ServerSentEvent(event: "message_start", data: ByteBuffer(string: #"{"type":"message_start"}"#))
        let nativeRecorder = Recorder()
        let withNative: [ChatStreamEvent] = [.native(native)] + Self.events(Self.textChunks) + [.done]
        var nativeSource = Self.capturing(withNative.map(Step.event), recorder: nativeRecorder)
        var relayed: [ChatStreamEvent] = []
        while let event = try await nativeSource.next() { relayed.append(event) }
        #expect(relayed == withNative)
        #expect(nativeRecorder.completed.isEmpty)

        let brokenRecorder = Recorder()
        let brokenChunks: [String] = [Self.textChunks[0], "not json"] + Array(Self.textChunks.dropFirst())
        let withBroken: [ChatStreamEvent] = Self.events(brokenChunks) + [.done]
        var brokenSource = Self.capturing(withBroken.map(Step.event), recorder: brokenRecorder)
        while try await brokenSource.next() != nil {}
        #expect(brokenRecorder.completed.isEmpty)
    }

    @Test("a stream with no finish reason reaches [DONE] without anything kept")
    func unfinishedIsNotKept() async throws {
        let recorder = Recorder()
        let scripted = Self.events(Array(Self.textChunks.dropLast())) + [.done]
        var source = Self.capturing(scripted.map(Step.event), recorder: recorder)
        while try await source.next() != nil {}
        #expect(recorder.completed.isEmpty)
    }
}
