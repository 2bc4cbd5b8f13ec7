import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire
import Testing

/// Fixed ids: `prefix_1`, `prefix_2`, ..., numbered across prefixes.
final class SequentialIDs: Sendable {
    private let counter = Mutex(0)

    var maker: ResponsesIDMaker {
        { prefix in
            let number = self.counter.withLock { count in
                count += 1
                return count
            }
            return "\(prefix)_\(number)"
        }
    }
}

@Suite("Responses API ↔ Chat Completions")
struct ResponsesTranslationTests {
    @Test("a conversation of messages, an image, reasoning, parallel function calls and their outputs becomes one Chat request")
    func conversation() throws {
        let request = try ProviderFixture.json("responses-to-openai/conversation.request.json")
        let translator = ResponsesRequestToChat()
        let items = try translator.inputItems(request, makeID: SequentialIDs().maker)
        #expect(items.count == 8)
        #expect(items[0]["type"] == "message" && items[0]["id"]?.string?.hasPrefix("msg_") == true, "items get their type and an id")
        #expect(items[0]["content"] == [["type": "input_text", "text": "Use metric units."]])
        #expect(items[2] == ["type": "reasoning", "id": "rs_1", "summary": []], "reasoning items are kept as they came")
        let chat = try translator.translate(request, history: [], items: items)
        let expected = try ProviderFixture.json("responses-to-openai/conversation.expected.json")
        #expect(chat == expected, "\(chat.jsonText)")
    }

    @Test("a string input is one user message; a chain's history comes before it, instructions first")
    func stringAndHistory() throws {
        let ids = SequentialIDs().maker
        let translator = ResponsesRequestToChat()
        let request: JSONValue = ["model": "chat", "input": "And in Rome?", "instructions": "Be brief."]
        let items = try translator.inputItems(request, makeID: ids)
        #expect(items == [["type": "message", "id": "msg_1", "role": "user", "content": [["type": "input_text", "text": "And in Rome?"]]]])
        let history: [JSONValue] = [
            ["type": "message", "id": "msg_0", "role": "user", "content": [["type": "input_text", "text": "Weather in Paris?"]]],
            ChatToResponse.functionCallItem(id: "fc_0", callID: "call_0", name: "get_weather", arguments: "{}", status: "completed"),
            ["type": "function_call_output", "id": "fco_0", "call_id": "call_0", "output": "sunny"],
            ChatToResponse.messageItem(id: "msg_9", text: "Sunny.", status: "completed"),
        ]
        let chat = try translator.translate(request, history: history, items: items)
        #expect(
            chat["messages"]
                == [
                    ["role": "system", "content": "Be brief."],
                    ["role": "user", "content": "Weather in Paris?"],
                    ["role": "assistant", "content": nil, "tool_calls": [["id": "call_0", "type": "function", "function": ["name": "get_weather", "arguments": "{}"]]]],
                    ["role": "tool", "tool_call_id": "call_0", "content": "sunny"],
                    ["role": "assistant", "content": "Sunny."],
                    ["role": "user", "content": "And in Rome?"],
                ])
    }

    @Test("what cannot be served is refused with a 400 naming it", arguments: [
        (#"{"model":"m","input":"x","tools":[{"type":"web_search"}]}"#, "tools[0].type", "hosted by OpenAI"),
        (#"{"model":"m","input":"x","tools":[{"type":"function"}]}"#, "tools[0].name", "is required"),
        (#"{"model":"m","input":"x","tool_choice":{"type":"file_search"}}"#, "tool_choice", "not supported"),
        (#"{"model":"m","input":"x","text":{"format":{"type":"json_schema"}}}"#, "text.format", "needs 'name' and 'schema'"),
        (#"{"model":"m","input":[{"type":"item_reference","id":"x"}]}"#, "input[0]", "item references"),
        (#"{"model":"m","input":[{"type":"computer_call_output"}]}"#, "input[0].type", "not supported"),
        (#"{"model":"m","input":[{"role":"tool","content":"x"}]}"#, "input[0].role", "must be"),
        (#"{"model":"m","input":[{"type":"function_call_output","output":"x"}]}"#, "input[0].call_id", "needs 'call_id'"),
        (#"{"model":"m"}"#, "input", "is required"),
    ])
    func refusals(body: String, param: String, message: String) throws {
        let request = try JSONValue(decoding: body)
        let translator = ResponsesRequestToChat()
        do {
            let items = try translator.inputItems(request, makeID: SequentialIDs().maker)
            _ = try translator.translate(request, history: [], items: items)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.status == 400)
            #expect(error.param == param, "\(error.message)")
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("a Chat completion becomes output items with the call ids and arguments kept, usage renamed, status from the finish reason")
    func completion() {
        var response = ResponseObject(id: "resp_1", createdAt: 10, model: "chat", status: "in_progress", request: ["model": "chat"])
        let completion: JSONValue = [
            "choices": [["index": 0, "finish_reason": "tool_calls", "message": [
                "role": "assistant", "content": "Let me check.",
                "tool_calls": [["id": "call_7", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city": "Paris"}"#]]],
            ]]],
            "usage": ["prompt_tokens": 30, "completion_tokens": 9, "total_tokens": 39, "prompt_tokens_details": ["cached_tokens": 4]],
        ]
        ChatToResponse.complete(&response, with: completion, makeID: SequentialIDs().maker, now: 12)
        #expect(response.status == "completed")
        #expect(response.output == [
            ["type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
             "content": [["type": "output_text", "text": "Let me check.", "annotations": [], "logprobs": []]]],
            ["type": "function_call", "id": "fc_2", "call_id": "call_7", "name": "get_weather", "arguments": #"{"city": "Paris"}"#, "status": "completed"],
        ])
        #expect(response.usage == [
            "input_tokens": 30, "input_tokens_details": ["cached_tokens": 4], "output_tokens": 9,
            "output_tokens_details": ["reasoning_tokens": 0], "total_tokens": 39,
        ])
        let json = response.json
        #expect(json["object"] == "response" && json["completed_at"] == 12 && json["tool_choice"] == "auto" && json["store"] == true)

        var cut = ResponseObject(id: "resp_2", createdAt: 10, model: "chat", status: "in_progress", request: ["model": "chat"])
        ChatToResponse.complete(&cut, with: ["choices": [["finish_reason": "length", "message": ["content": "Once upon"]]]], makeID: SequentialIDs().maker, now: 11)
        #expect(cut.status == "incomplete")
        #expect(cut.incompleteDetails == ["reason": "max_output_tokens"])
    }

    @Test("chunks become the Responses event sequence; split tool-call arguments arrive as deltas and whole at the end")
    func stream() {
        let response = ResponseObject(id: "resp_1", createdAt: 10, model: "chat", status: "queued", request: ["model": "chat", "stream": true])
        var translator = ChatToResponsesStreamTranslator(response: response, makeID: SequentialIDs().maker)
        var events = translator.start()
        let chunks: [JSONValue] = [
            ["choices": [["index": 0, "delta": ["role": "assistant", "content": ""]]]],
            ["choices": [["index": 0, "delta": ["content": "Hel"]]]],
            ["choices": [["index": 0, "delta": ["content": "lo"]]]],
            ["choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "id": "call_1", "type": "function", "function": ["name": "f", "arguments": ""]]]]]]],
            ["choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "function": ["arguments": "{\"a\""]]]]]]],
            ["choices": [["index": 0, "delta": ["tool_calls": [["index": 0, "function": ["arguments": ":1}"]]]]]]],
            ["choices": [["index": 0, "delta": [:], "finish_reason": "tool_calls"]]],
            ["choices": [], "usage": ["prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8]],
        ]
        for chunk in chunks { events += translator.consume(chunk) }
        events += translator.finish(now: 20)
        #expect(events.map { $0["type"]?.string ?? "" } == [
            "response.created", "response.in_progress",
            "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
            "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.function_call_arguments.done", "response.output_item.done", "response.completed",
        ])
        #expect(events[0]["response"]?["status"] == "in_progress")
        #expect(events[4] == ["type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Hel", "logprobs": []])
        #expect(events[6]["item"] == ["type": "function_call", "id": "fc_2", "call_id": "call_1", "name": "f", "arguments": "", "status": "in_progress"])
        #expect(events[8]["delta"] == ":1}" && events[8]["item_id"] == "fc_2" && events[8]["output_index"] == 1)
        #expect(events[9]["text"] == "Hello")
        #expect(events[12]["arguments"] == "{\"a\":1}")
        let completed = events[14]["response"]
        #expect(completed?["status"] == "completed")
        #expect(completed?["output"]?.array?.count == 2)
        #expect(completed?["usage"]?["output_tokens"] == 3)
        #expect(translator.response.output[1]["arguments"] == "{\"a\":1}")

        // A replay of the finished response tells the same items.
        let replayed = ChatToResponsesStreamTranslator.replay(translator.response)
        #expect(replayed.first?["type"] == "response.created" && replayed.last?["type"] == "response.completed")
        #expect(replayed.last?["response"] == completed)
        #expect(replayed.contains { $0["type"] == "response.output_text.delta" && $0["delta"] == "Hello" })
        // Items are added empty, as they are live, so a client that accumulates does not count text twice.
        let added = replayed.filter { $0["type"] == "response.output_item.added" }.map { $0["item"] }
        #expect(added.map { $0?["status"] } == ["in_progress", "in_progress"])
        #expect(added[0]?["content"] == [] && added[1]?["arguments"] == "")
    }

    @Test("a streamed refusal is a message of its own with refusal events")
    func refusal() {
        var translator = ChatToResponsesStreamTranslator(
            response: ResponseObject(id: "resp_1", createdAt: 10, model: "chat", status: "in_progress", request: [:]), makeID: SequentialIDs().maker)
        var events = translator.start()
        events += translator.consume(["choices": [["index": 0, "delta": ["refusal": "I can't"]]]])
        events += translator.consume(["choices": [["index": 0, "delta": ["refusal": " help with that."], "finish_reason": "stop"]]])
        events += translator.finish(now: 11)
        #expect(events.map { $0["type"]?.string ?? "" } == [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.refusal.delta",
            "response.refusal.delta", "response.refusal.done", "response.content_part.done", "response.output_item.done", "response.completed",
        ])
        #expect(translator.response.output == [
            ["type": "message", "id": "msg_1", "status": "completed", "role": "assistant", "content": [["type": "refusal", "refusal": "I can't help with that."]]],
        ])
    }

    @Test("a failure mid-stream ends with response.failed carrying the error")
    func failure() {
        var translator = ChatToResponsesStreamTranslator(
            response: ResponseObject(id: "resp_1", createdAt: 10, model: "chat", status: "in_progress", request: [:]), makeID: SequentialIDs().maker)
        _ = translator.start()
        _ = translator.consume(["choices": [["index": 0, "delta": ["content": "Hi"]]]])
        let events = translator.fail(GatewayError.upstreamUnavailable("Provider 'up' broke off the response body."), now: 11)
        #expect(events.map { $0["type"] } == ["response.failed"])
        #expect(events[0]["response"]?["status"] == "failed")
        #expect(events[0]["response"]?["error"]?["message"] == "Provider 'up' broke off the response body.")
    }
}

@Suite("Provider capabilities match what the translators do")
struct CapabilityTableTests {
    static let request: JSONValue = [
        "model": "m",
        "messages": [["role": "user", "content": [
            ["type": "text", "text": "hi"], ["type": "image_url", "image_url": ["url": "https://example.com/a.png"]],
        ]]],
        "tools": [["type": "function", "function": ["name": "f", "parameters": ["type": "object"]]]],
        "response_format": ["type": "json_schema", "json_schema": ["name": "x", "schema": ["type": "object", "properties": ["a": ["type": "string"]]]]],
    ]

    /// The kind's translation of `request`, or its refusal.
    static func translate(_ kind: ProviderKind, _ request: JSONValue) -> Result<JSONValue, GatewayError> {
        Result<JSONValue, GatewayError> { () throws(GatewayError) -> JSONValue in
            switch kind {
            case .openai, .azureOpenAI: request
            case .anthropic: try OpenAIRequestToAnthropic().translate(request, model: "m")
            case .gemini: try OpenAIRequestToGemini().translate(request)
            case .ollama: try OpenAIRequestToOllama().translate(request, model: "m", stream: false)
            case .bedrock: try OpenAIRequestToBedrock().translate(request)
            }
        }
    }

    @Test("tools, image URLs and JSON schemas", arguments: ProviderKind.allCases)
    func capabilities(kind: ProviderKind) throws {
        let capabilities = kind.capabilities
        let withURL = Self.translate(kind, Self.request)
        #expect((try? withURL.get()) != nil || !capabilities.imageURLs, "\(kind) refuses image URLs the table says it takes")
        if case .failure(let error) = withURL { #expect(error.message.contains("base64"), "\(error.message)") }
        var dataURL = Self.request
        if case .object(var fields) = dataURL {
            fields["messages"] = [["role": "user", "content": [["type": "image_url", "image_url": ["url": "data:image/png;base64,AAAA"]]]]]
            dataURL = .object(fields)
        }
        let translated = try Self.translate(kind, dataURL).get().jsonText
        #expect(translated.contains("AAAA") == capabilities.images)
        #expect(translated.contains("\"f\"") == capabilities.tools)
        #expect(translated.contains("\"a\"") == capabilities.jsonSchema, "\(kind): the schema reaches the upstream only where the table says so")
    }
}
