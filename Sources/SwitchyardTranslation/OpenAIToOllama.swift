import Foundation
import SwitchyardCore
import SwitchyardWire

/// Translates an OpenAI Chat Completions request into Ollama's native `/api/chat` request.
///
/// Images become base64 `images` on their message; tool calls carry their arguments as objects; tool results
/// are named after the call they answer; sampling options go to `options`; `response_format` becomes `format`.
public struct OpenAIRequestToOllama {
    public init() {}

    public func translate(_ request: JSONValue, model: String, stream: Bool) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var messages: [JSONValue] = []
        var toolNames: [String: String] = [:]
        for (index, message) in (fields["messages"]?.array ?? []).enumerated() {
            let param = "messages[\(index)]"
            var role = message["role"]?.string ?? "user"
            if role == "developer" { role = "system" }
            var output: [String: JSONValue] = ["role": .string(role)]
            var text = ""
            var images: [JSONValue] = []
            switch message["content"] {
            case .string(let value)?: text = value
            case .array(let parts)?:
                for (partIndex, part) in parts.enumerated() {
                    switch part["type"]?.string {
                    case "text": text += part["text"]?.string ?? ""
                    case "image_url":
                        let url = part["image_url"]?["url"]?.string ?? ""
                        guard let image = Base64DataURL(url) else {
                            throw .badRequest("Provider type ollama takes images as base64 data URLs only.", param: "\(param).content[\(partIndex)].image_url.url")
                        }
                        images.append(.string(image.data))
                    default:
                        throw .badRequest(
                            "Content part type '\(part["type"]?.string ?? "?")' cannot be sent to provider type ollama.",
                            param: "\(param).content[\(partIndex)].type")
                    }
                }
            default: break
            }
            output["content"] = .string(text)
            if !images.isEmpty { output["images"] = .array(images) }
            if let calls = message["tool_calls"]?.array, !calls.isEmpty {
                var translated: [JSONValue] = []
                for (callIndex, call) in calls.enumerated() {
                    let name = call["function"]?["name"]?.string ?? ""
                    if let id = call["id"]?.string { toolNames[id] = name }
                    let arguments = try HubRequestFields.toolArguments(call, param: "\(param).tool_calls[\(callIndex)].function.arguments")
                    translated.append(["function": ["name": .string(name), "arguments": arguments]])
                }
                output["tool_calls"] = .array(translated)
            }
            if role == "tool", let id = message["tool_call_id"]?.string, let name = toolNames[id] { output["tool_name"] = .string(name) }
            messages.append(.object(output))
        }
        var output: [String: JSONValue] = ["model": .string(model), "messages": .array(messages), "stream": .bool(stream)]
        var options: [String: JSONValue] = [:]
        for (openAI, ollama) in [("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k"), ("seed", "seed"),
            ("presence_penalty", "presence_penalty"), ("frequency_penalty", "frequency_penalty")]
        {
            if let value = fields[openAI], !value.isNull { options[ollama] = value }
        }
        options["num_predict"] = HubRequestFields.maxTokens(fields)
        options["stop"] = HubRequestFields.stopSequences(fields)
        if !options.isEmpty { output["options"] = .object(options) }
        switch fields["response_format"]?["type"]?.string {
        case "json_object"?: output["format"] = "json"
        case "json_schema"?: output["format"] = fields["response_format"]?["json_schema"]?["schema"] ?? "json"
        default: break
        }
        if let tools = fields["tools"]?.array, !tools.isEmpty { output["tools"] = .array(tools) }
        if let effort = fields["reasoning_effort"]?.string { output["think"] = .bool(effort != "none") }
        return .object(output)
    }
}

/// Translates Ollama's `/api/chat` answers, whole or streamed line by line, into OpenAI completions and chunks.
/// Ollama gives tool calls no ids, so they get `call_<n>`; its arguments objects become JSON strings.
public struct OllamaToOpenAI: Sendable {
    public let includeUsage: Bool
    private let created: Int
    private var toolCount = 0
    private var started = false
    private let id = "chatcmpl-ollama-\(UInt32.random(in: 0...UInt32.max))"

    public init(includeUsage: Bool = false, created: Int = Int(Date().timeIntervalSince1970)) {
        self.includeUsage = includeUsage
        self.created = created
    }

    /// A complete (non-streamed) answer.
    public mutating func completion(_ response: JSONValue) -> JSONValue {
        let message = response["message"] ?? [:]
        var output: [String: JSONValue] = ["role": "assistant", "content": message["content"] ?? ""]
        let calls = toolCalls(message, streamed: false)
        if !calls.isEmpty {
            output["tool_calls"] = .array(calls)
            if message["content"]?.string?.isEmpty ?? true { output["content"] = .null }
        }
        if let thinking = message["thinking"]?.string, !thinking.isEmpty { output["reasoning_content"] = .string(thinking) }
        return [
            "id": .string(id), "object": "chat.completion", "created": .integer(Int64(created)), "model": response["model"] ?? "",
            "choices": [["index": 0, "message": .object(output), "finish_reason": .string(finishReason(response)), "logprobs": nil]],
            "usage": usage(response),
        ]
    }

    /// The chunks for one streamed line.
    public mutating func chunks(_ line: JSONValue) throws(GatewayError) -> [JSONValue] {
        if let error = line["error"]?.string { throw GatewayError.upstreamUnavailable(error) }
        var chunks: [JSONValue] = []
        let model = line["model"] ?? ""
        if !started {
            started = true
            chunks.append(chunk(model: model, delta: ["role": "assistant", "content": ""]))
        }
        let message = line["message"] ?? [:]
        if let thinking = message["thinking"]?.string, !thinking.isEmpty {
            chunks.append(chunk(model: model, delta: ["reasoning_content": .string(thinking)]))
        }
        if let content = message["content"]?.string, !content.isEmpty {
            chunks.append(chunk(model: model, delta: ["content": .string(content)]))
        }
        let calls = toolCalls(message, streamed: true)
        if !calls.isEmpty { chunks.append(chunk(model: model, delta: ["tool_calls": .array(calls)])) }
        if line["done"]?.bool == true {
            chunks.append(chunk(model: model, delta: [:], finishReason: finishReason(line)))
            if includeUsage, case .object(var usageChunk) = chunk(model: model, delta: [:]) {
                usageChunk["choices"] = []
                usageChunk["usage"] = usage(line)
                chunks.append(.object(usageChunk))
            }
        }
        return chunks
    }

    private mutating func toolCalls(_ message: JSONValue, streamed: Bool) -> [JSONValue] {
        (message["tool_calls"]?.array ?? []).map { call in
            defer { toolCount += 1 }
            var output: [String: JSONValue] = [
                "id": .string("call_\(toolCount)"), "type": "function",
                "function": ["name": call["function"]?["name"] ?? "", "arguments": .string((call["function"]?["arguments"] ?? [:]).jsonText)],
            ]
            if streamed { output["index"] = .integer(Int64(toolCount)) }
            return .object(output)
        }
    }

    private func finishReason(_ response: JSONValue) -> String {
        if toolCount > 0 { return "tool_calls" }
        return response["done_reason"]?.string == "length" ? "length" : "stop"
    }

    private func usage(_ response: JSONValue) -> JSONValue {
        let prompt = response["prompt_eval_count"]?.tokenCount ?? 0
        let completion = response["eval_count"]?.tokenCount ?? 0
        return ["prompt_tokens": .integer(Int64(prompt)), "completion_tokens": .integer(Int64(completion)), "total_tokens": .integer(Int64(prompt + completion))]
    }

    private func chunk(model: JSONValue, delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(Int64(created)), "model": model,
            "choices": [["index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null, "logprobs": nil]],
        ]
    }
}
