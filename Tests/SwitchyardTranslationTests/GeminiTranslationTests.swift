import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire
import Testing

@Suite("OpenAI ↔ Gemini translation")
struct GeminiTranslationTests {
    @Test("requests translate to the golden Gemini request", arguments: ["tools-conversation", "json-schema"])
    func request(_ name: String) throws {
        let input = try ProviderFixture.json("openai-to-gemini/\(name).request.json")
        let expected = try ProviderFixture.json("openai-to-gemini/\(name).expected.json")
        let translated = try OpenAIRequestToGemini().translate(input)
        #expect(translated == expected, "\(translated.jsonText)")
    }

    @Test("a response with thoughts, text and a function call translates to the golden completion")
    func response() throws {
        let input = try ProviderFixture.json("gemini-to-openai/function-call.response.json")
        let expected = try ProviderFixture.json("gemini-to-openai/function-call.expected.json")
        let translated = GeminiResponseToOpenAI().translate(input, model: "gemini-2.5-flash", created: 1_700_000_000)
        #expect(translated == expected, "\(translated.jsonText)")
    }

    @Test("a stream translates event by event to the golden chunks")
    func stream() throws {
        let sse = try ProviderFixture.text("gemini-to-openai/stream.sse")
        let expected = try ProviderFixture.text("gemini-to-openai/stream.expected.jsonl").split(separator: "\n").map { try JSONValue(decoding: String($0)) }
        var decoder = ServerSentEventDecoder()
        decoder.feed(ByteBuffer(string: sse))
        var translator = GeminiToOpenAIStreamTranslator(includeUsage: true, model: "gemini-2.5-flash", created: 1_700_000_000)
        var chunks: [JSONValue] = []
        while let event = decoder.next() { chunks.append(contentsOf: translator.consume(try JSONValue(decoding: event.data))) }
        chunks.append(contentsOf: translator.finish())
        #expect(chunks == expected, "\(chunks.map(\.jsonText))")
    }

    @Test("schema cleaning keeps parameters whatever their names")
    func parameterNames() throws {
        let request: JSONValue = ["messages": [["role": "user", "content": "hi"]], "tools": [["type": "function", "function": [
            "name": "f", "parameters": ["type": "object", "additionalProperties": false, "required": ["strict"],
                "properties": ["strict": ["type": "boolean"], "additionalProperties": ["type": "string"]]],
        ]]]]
        let parameters = try OpenAIRequestToGemini().translate(request)["tools"]?.array?.first?["functionDeclarations"]?.array?.first?["parameters"]
        #expect(parameters == ["type": "object", "required": ["strict"], "properties": ["strict": ["type": "boolean"], "additionalProperties": ["type": "string"]]])
    }

    @Test("safety blocks become content_filter")
    func safety() {
        let blocked = GeminiResponseToOpenAI().translate(["promptFeedback": ["blockReason": "SAFETY"]], model: "m")
        #expect(blocked["choices"]?.array?.first?["finish_reason"] == "content_filter")
        let stopped = GeminiResponseToOpenAI().translate(["candidates": [["content": ["parts": []], "finishReason": "SAFETY"]]], model: "m")
        #expect(stopped["choices"]?.array?.first?["finish_reason"] == "content_filter")
    }
}

@Suite("Conversations survive translation there and back")
struct RoundTripTests {
    @Test("an Anthropic conversation with tool use and results, through the hub and back to Anthropic, is unchanged")
    func anthropicRoundTrip() throws {
        let original: JSONValue = try JSONValue(decoding: #"""
            {"model":"m","max_tokens":1024,"system":"Be brief.","messages":[
              {"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
              {"role":"assistant","content":[{"type":"thinking","thinking":"Use the tool.","signature":"sig"},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","days":[1,2]}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18°C"}]},
              {"role":"assistant","content":[{"type":"text","text":"It is 18°C."}]}
            ],"tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
            "tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true},"stop_sequences":["END"],"temperature":0.5}
            """#)
        let hub = try AnthropicRequestToOpenAI().translate(original)
        let back = try OpenAIRequestToAnthropic().translate(hub, model: "m")
        #expect(back == original, "\(back.jsonText)")
    }

    @Test("an OpenAI tool call produced by Anthropic or Gemini keeps its name, id and arguments")
    func toolCallFidelity() throws {
        let anthropic = AnthropicResponseToOpenAI().translate(
            ["content": [["type": "tool_use", "id": "toolu_9", "name": "lookup", "input": ["q": "swift", "n": 3]]], "stop_reason": "tool_use"])
        let anthropicCall = anthropic["choices"]?.array?.first?["message"]?["tool_calls"]?.array?.first
        #expect(anthropicCall?["id"] == "toolu_9")
        #expect(try JSONValue(decoding: anthropicCall?["function"]?["arguments"]?.string ?? "") == ["q": "swift", "n": 3])
        // And back to Anthropic for the client of /v1/messages.
        let message = OpenAIResponseToAnthropic().translate(anthropic, model: "m")
        #expect(message["content"]?.array?.first == ["type": "tool_use", "id": "toolu_9", "name": "lookup", "input": ["q": "swift", "n": 3]])
        let gemini = GeminiResponseToOpenAI().translate(
            ["candidates": [["content": ["parts": [["functionCall": ["id": "g1", "name": "lookup", "args": ["q": "swift"]]]]], "finishReason": "STOP"]]], model: "m")
        let geminiCall = gemini["choices"]?.array?.first?["message"]?["tool_calls"]?.array?.first
        #expect(geminiCall?["id"] == "g1")
        #expect(try JSONValue(decoding: geminiCall?["function"]?["arguments"]?.string ?? "") == ["q": "swift"])
    }
}
