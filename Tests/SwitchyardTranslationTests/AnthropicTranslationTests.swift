import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire
import Testing

import SwitchyardTranslation

enum ProviderFixture {
    static func text(_ path: String) throws -> String {
        guard let url = Bundle.module.url(forResource: path, withExtension: nil, subdirectory: "Fixtures") else {
            throw Missing(path: path)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func json(_ path: String) throws -> JSONValue { try JSONValue(decoding: try text(path)) }

    struct Missing: Error {
        var path: String
    }
}

@Suite("OpenAI ↔ Anthropic translation")
struct AnthropicTranslationTests {
    @Test("requests translate to the golden Anthropic request", arguments: ["tools-conversation", "vision-cache"])
    func request(_ name: String) throws {
        let input = try ProviderFixture.json("openai-to-anthropic/\(name).request.json")
        let expected = try ProviderFixture.json("openai-to-anthropic/\(name).expected.json")
        let translated = try OpenAIRequestToAnthropic().translate(input, model: "claude-sonnet-4-5")
        #expect(translated == expected, "\(translated.jsonText)")
    }

    @Test("a response with thinking, text and a tool call translates to the golden completion")
    func response() throws {
        let input = try ProviderFixture.json("anthropic-to-openai/thinking-tool-use.response.json")
        let expected = try ProviderFixture.json("anthropic-to-openai/thinking-tool-use.expected.json")
        let translated = AnthropicResponseToOpenAI().translate(input, created: 1_700_000_000)
        #expect(translated == expected, "\(translated.jsonText)")
    }

    @Test("a stream translates event by event to the golden chunks, however its bytes are split")
    func stream() throws {
        let sse = try ProviderFixture.text("anthropic-to-openai/text-and-tool.stream.sse")
        let expected = try ProviderFixture.text("anthropic-to-openai/text-and-tool.expected.jsonl")
            .split(separator: "\n").map { try JSONValue(decoding: String($0)) }
        let bytes = Array(sse.utf8)
        for split in stride(from: 1, to: bytes.count, by: 37) {
            var decoder = ServerSentEventDecoder()
            var translator = AnthropicToOpenAIStreamTranslator(includeUsage: true, created: 1_700_000_000)
            var chunks: [JSONValue] = []
            for piece in [bytes[..<split], bytes[split...]] {
                decoder.feed(ByteBuffer(bytes: piece))
                while let event = decoder.next() {
                    chunks.append(contentsOf: try translator.consume(try JSONValue(decoding: event.data)))
                }
            }
            #expect(chunks == expected, "split at \(split)")
        }
    }

    @Test("tool-call arguments reassembled from the stream equal the upstream's input")
    func argumentsRoundTrip() throws {
        let sse = try ProviderFixture.text("anthropic-to-openai/text-and-tool.stream.sse")
        var decoder = ServerSentEventDecoder()
        decoder.feed(ByteBuffer(string: sse))
        var translator = AnthropicToOpenAIStreamTranslator(includeUsage: false)
        var arguments = ""
        var ids: [String] = []
        while let event = decoder.next() {
            for chunk in try translator.consume(try JSONValue(decoding: event.data)) {
                for call in chunk["choices"]?.array?.first?["delta"]?["tool_calls"]?.array ?? [] {
                    if let id = call["id"]?.string { ids.append(id) }
                    arguments += call["function"]?["arguments"]?.string ?? ""
                }
            }
        }
        #expect(ids == ["toolu_01T1x1fJ34qAmk2tNTrN7Up6"])
        #expect(try JSONValue(decoding: arguments) == ["location": "San Francisco, CA"])
    }

    @Test("without include_usage no usage chunk is sent")
    func noUsage() throws {
        var translator = AnthropicToOpenAIStreamTranslator(includeUsage: false)
        let chunks = try translator.consume(["type": "message_delta", "delta": ["stop_reason": "end_turn"], "usage": ["output_tokens": 3]])
        #expect(chunks.count == 1)
        #expect(chunks[0]["choices"]?.array?.first?["finish_reason"] == "stop")
    }

    @Test("an error event ends the stream with the upstream's error")
    func errorEvent() throws {
        var translator = AnthropicToOpenAIStreamTranslator(includeUsage: false)
        #expect(throws: GatewayError.self) {
            try translator.consume(["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]])
        }
        do {
            _ = try translator.consume(["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]])
        } catch {
            #expect(error.status == 529)
            #expect(error.message == "Overloaded")
            #expect(error.isRetryable)
        }
    }

    @Test("requests that cannot be expressed get a 400 naming the field", arguments: [
        (#"{"messages":[{"role":"user","content":"hi"}],"n":2}"#, "n"),
        (#"{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}"#, "messages[0].content[0].type"),
        (#"{"messages":[{"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{oops"}}]}]}"#, "messages[0].tool_calls[0].function.arguments"),
        (#"{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search"}]}"#, "tools[0].type"),
    ])
    func inexpressible(body: String, param: String) throws {
        #expect(throws: GatewayError.self) { try OpenAIRequestToAnthropic().translate(try JSONValue(decoding: body), model: "m") }
        do {
            _ = try OpenAIRequestToAnthropic().translate(try JSONValue(decoding: body), model: "m")
        } catch let error as GatewayError {
            #expect(error.status == 400)
            #expect(error.param == param)
        }
    }

    @Test("max_tokens is always set")
    func maxTokens() throws {
        let translated = try OpenAIRequestToAnthropic().translate(["messages": [["role": "user", "content": "hi"]]], model: "m")
        #expect(translated["max_tokens"] == .integer(OpenAIRequestToAnthropic.defaultMaxTokens))
    }
}

@Suite("Streamed thinking")
struct StreamedThinkingTests {
    @Test("a streamed thinking block is handed on whole, with its signature, when it ends")
    func signatures() throws {
        var translator = AnthropicToOpenAIStreamTranslator(includeUsage: false)
        var chunks: [JSONValue] = []
        let events: [JSONValue] = [
            ["type": "message_start", "message": ["id": "msg_1", "model": "claude", "usage": ["input_tokens": 1]]],
            ["type": "content_block_start", "index": 0, "content_block": ["type": "thinking", "thinking": "", "signature": ""]],
            ["type": "content_block_delta", "index": 0, "delta": ["type": "thinking_delta", "thinking": "Let me "]],
            ["type": "content_block_delta", "index": 0, "delta": ["type": "thinking_delta", "thinking": "think."]],
            ["type": "content_block_delta", "index": 0, "delta": ["type": "signature_delta", "signature": "EqQBCgIYAh"]],
            ["type": "content_block_stop", "index": 0],
            ["type": "content_block_start", "index": 1, "content_block": ["type": "redacted_thinking", "data": "EmwKAhgB"]],
            ["type": "content_block_stop", "index": 1],
        ]
        for event in events { chunks.append(contentsOf: try translator.consume(event)) }
        let blocks = chunks.compactMap { $0["choices"]?.array?.first?["delta"]?["thinking_blocks"]?.array?.first }
        #expect(blocks == [
            ["type": "thinking", "thinking": "Let me think.", "signature": "EqQBCgIYAh"],
            ["type": "redacted_thinking", "data": "EmwKAhgB"],
        ])
        let reasoning = chunks.compactMap { $0["choices"]?.array?.first?["delta"]?["reasoning_content"]?.string }.joined()
        #expect(reasoning == "Let me think.")
    }
}
