import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire
import Testing

@Suite("Golden translations for Bedrock, Ollama and the Messages API")
struct DialectFixtureTests {
    static let toolsConversation = "openai-to-anthropic/tools-conversation.request.json"

    @Test("OpenAI → Bedrock Converse")
    func bedrock() throws {
        let translated = try OpenAIRequestToBedrock().translate(try ProviderFixture.json(Self.toolsConversation))
        #expect(translated == (try ProviderFixture.json("openai-to-bedrock/tools-conversation.expected.json")), "\(translated.jsonText)")
    }

    @Test("OpenAI → Ollama /api/chat")
    func ollama() throws {
        let translated = try OpenAIRequestToOllama().translate(try ProviderFixture.json(Self.toolsConversation), model: "llama3.2", stream: false)
        #expect(translated == (try ProviderFixture.json("openai-to-ollama/tools-conversation.expected.json")), "\(translated.jsonText)")
    }

    @Test("Anthropic Messages request → OpenAI")
    func messagesRequest() throws {
        let translated = try AnthropicRequestToOpenAI().translate(try ProviderFixture.json("anthropic-to-openai/messages-request.json"))
        #expect(translated == (try ProviderFixture.json("anthropic-to-openai/messages-request.expected.json")), "\(translated.jsonText)")
    }

    @Test("OpenAI completion → Anthropic message")
    func messagesResponse() throws {
        let completion: JSONValue = [
            "id": "chatcmpl-1", "choices": [["index": 0, "finish_reason": "tool_calls", "message": [
                "role": "assistant", "content": "Checking.", "reasoning_content": "Need the tool.",
                "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]]],
            ]]],
            "usage": ["prompt_tokens": 100, "completion_tokens": 20, "prompt_tokens_details": ["cached_tokens": 40]],
        ]
        let expected: JSONValue = [
            "id": "msg_chatcmpl-1", "type": "message", "role": "assistant", "model": "claude", "stop_reason": "tool_use", "stop_sequence": nil,
            "content": [
                ["type": "thinking", "thinking": "Need the tool.", "signature": ""],
                ["type": "text", "text": "Checking."],
                ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["city": "Paris"]],
            ],
            "usage": ["input_tokens": 60, "output_tokens": 20, "cache_read_input_tokens": 40, "cache_creation_input_tokens": 0],
        ]
        #expect(OpenAIResponseToAnthropic().translate(completion, model: "claude") == expected)
    }

    @Test("OpenAI chunks → Anthropic events: text then a tool call, closed in order")
    func messagesStream() {
        var translator = OpenAIToAnthropicStreamTranslator(model: "claude")
        var events: [JSONValue] = []
        let chunks: [JSONValue] = [
            ["id": "c1", "choices": [["index": 0, "delta": ["role": "assistant", "content": ""]]]],
            ["id": "c1", "choices": [["index": 0, "delta": ["content": "Hi"]]]],
            ["id": "c1", "choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "id": "call_1", "type": "function", "function": ["name": "f", "arguments": ""]]]]]]],
            ["id": "c1", "choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "function": ["arguments": "{\"a\":1}"]]]]]]],
            ["id": "c1", "choices": [["index": 0, "delta": [:], "finish_reason": "tool_calls"]]],
            ["id": "c1", "choices": [], "usage": ["prompt_tokens": 5, "completion_tokens": 3]],
        ]
        for chunk in chunks { events.append(contentsOf: translator.consume(chunk)) }
        events.append(contentsOf: translator.finish())
        #expect(events.map { $0["type"]?.string ?? "" } == [
            "message_start", "content_block_start", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
        ])
        #expect(events[4]["content_block"] == ["type": "tool_use", "id": "call_1", "name": "f", "input": [:]])
        #expect(events[5]["delta"] == ["type": "input_json_delta", "partial_json": "{\"a\":1}"])
        #expect(events[7]["delta"]?["stop_reason"] == "tool_use")
        #expect(events[7]["usage"]?["output_tokens"] == 3)
    }
}
