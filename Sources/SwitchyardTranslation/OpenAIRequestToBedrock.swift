import Foundation
import SwitchyardCore
import SwitchyardWire

/// Translates an OpenAI Chat Completions request into an AWS Bedrock Converse request.
///
/// System messages become `system`; turns become `messages` of content blocks; tool calls become `toolUse` and
/// tool results `toolResult` blocks (JSON results as `json`, others as `text`); images become `image` blocks with
/// base64 bytes; limits and sampling go to `inferenceConfig`, tools to `toolConfig`. Bedrock takes images only as
/// bytes, so an image URL gets a 400.
public struct OpenAIRequestToBedrock {
    public init() {}

    public func translate(_ request: JSONValue) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var system: [JSONValue] = []
        var messages = AlternatingTurns()
        for (index, message) in (fields["messages"]?.array ?? []).enumerated() {
            let param = "messages[\(index)]"
            switch message["role"]?.string ?? "" {
            case "system", "developer":
                system.append(contentsOf: try blocks(message["content"], param: "\(param).content"))
            case "user":
                messages.append(try blocks(message["content"], param: "\(param).content"), role: "user")
            case "assistant":
                var content = try blocks(message["content"], param: "\(param).content")
                for (callIndex, call) in (message["tool_calls"]?.array ?? []).enumerated() {
                    let input = try HubRequestFields.toolArguments(call, param: "\(param).tool_calls[\(callIndex)].function.arguments")
                    content.append(["toolUse": ["toolUseId": call["id"] ?? "", "name": call["function"]?["name"] ?? "", "input": input]])
                }
                messages.append(content, role: "assistant")
            case "tool", "function":
                let result: JSONValue
                if let text = message["content"]?.string, let json = try? JSONValue(decoding: text), json.object != nil {
                    result = ["json": json]
                } else if let parts = message["content"]?.array {
                    result = ["text": .string(parts.compactMap { $0["text"]?.string }.joined(separator: "\n"))]
                } else {
                    result = ["text": message["content"] ?? ""]
                }
                messages.append([["toolResult": ["toolUseId": message["tool_call_id"] ?? "", "content": [result]]]], role: "user")
            case let role:
                throw .badRequest("\(param).role '\(role)' is not supported.", param: "\(param).role")
            }
        }
        var output: [String: JSONValue] = ["messages": messages.json(contentKey: "content")]
        if !system.isEmpty { output["system"] = .array(system) }

        var inference: [String: JSONValue] = [:]
        inference["maxTokens"] = HubRequestFields.maxTokens(fields)
        if let value = fields["temperature"], !value.isNull { inference["temperature"] = value }
        if let value = fields["top_p"], !value.isNull { inference["topP"] = value }
        inference["stopSequences"] = HubRequestFields.stopSequences(fields)
        if !inference.isEmpty { output["inferenceConfig"] = .object(inference) }

        if let tools = fields["tools"]?.array, !tools.isEmpty {
            var specs: [JSONValue] = []
            for (index, tool) in tools.enumerated() {
                guard tool["type"]?.string == "function", let function = tool["function"] else {
                    throw .badRequest("Only function tools can be sent to provider type bedrock.", param: "tools[\(index)].type")
                }
                var spec: [String: JSONValue] = ["name": function["name"] ?? "", "inputSchema": ["json": function["parameters"] ?? ["type": "object"]]]
                if let description = function["description"], !description.isNull { spec["description"] = description }
                specs.append(["toolSpec": .object(spec)])
            }
            var toolConfig: [String: JSONValue] = ["tools": .array(specs)]
            switch fields["tool_choice"] {
            case .string("required")?: toolConfig["toolChoice"] = ["any": [:]]
            case .string("auto")?: toolConfig["toolChoice"] = ["auto": [:]]
            case .object?:
                if let name = fields["tool_choice"]?["function"]?["name"] { toolConfig["toolChoice"] = ["tool": ["name": name]] }
            default: break
            }
            output["toolConfig"] = .object(toolConfig)
        }
        return .object(output)
    }

    private func blocks(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        switch content {
        case .string(let text)?: return text.isEmpty ? [] : [["text": .string(text)]]
        case .array(let parts)?:
            var output: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                switch part["type"]?.string {
                case "text": output.append(["text": part["text"] ?? ""])
                case "image_url":
                    let url = part["image_url"]?["url"]?.string ?? ""
                    guard let image = Base64DataURL(url), image.mediaType.hasPrefix("image/") else {
                        throw .badRequest("Provider type bedrock takes images as base64 data URLs only.", param: "\(param)[\(index)].image_url.url")
                    }
                    let format = image.mediaType.dropFirst("image/".count)
                    output.append(["image": ["format": .string(format == "jpg" ? "jpeg" : String(format)), "source": ["bytes": .string(image.data)]]])
                default:
                    throw .badRequest(
                        "Content part type '\(part["type"]?.string ?? "?")' cannot be sent to provider type bedrock.", param: "\(param)[\(index)].type")
                }
            }
            return output
        default: return []
        }
    }
}

/// Translates Bedrock Converse answers, whole or streamed event by event, into OpenAI completions and chunks.
public struct BedrockToOpenAI: Sendable {
    public let includeUsage: Bool
    public let model: String
    private let created: Int
    private let id: String
    private var toolIndexes: [Int: Int] = [:]
    private var usage: JSONValue?
    private var sawToolUse = false

    public init(model: String, includeUsage: Bool = false, created: Int = Int(Date().timeIntervalSince1970)) {
        self.model = model
        self.includeUsage = includeUsage
        self.created = created
        id = "chatcmpl-bedrock-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A complete Converse response.
    public func completion(_ response: JSONValue, created: Int) -> JSONValue {
        var text = ""
        var reasoning = ""
        var toolCalls: [JSONValue] = []
        for block in response["output"]?["message"]?["content"]?.array ?? [] {
            if let piece = block["text"]?.string { text += piece }
            if let thought = block["reasoningContent"]?["reasoningText"]?["text"]?.string { reasoning += thought }
            if let use = block["toolUse"] {
                toolCalls.append([
                    "id": use["toolUseId"] ?? "", "type": "function",
                    "function": ["name": use["name"] ?? "", "arguments": .string((use["input"] ?? [:]).jsonText)],
                ])
            }
        }
        var message: [String: JSONValue] = ["role": "assistant", "content": text.isEmpty && !toolCalls.isEmpty ? .null : .string(text)]
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
        if !reasoning.isEmpty { message["reasoning_content"] = .string(reasoning) }
        var output: [String: JSONValue] = [
            "id": .string(id), "object": "chat.completion", "created": .integer(Int64(created)), "model": .string(model),
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(Self.finishReason(response["stopReason"]?.string)), "logprobs": nil]],
        ]
        if let usage = response["usage"] { output["usage"] = Self.usage(usage) }
        return .object(output)
    }

    /// The chunks for one stream event, given as `{"<eventType>": payload}`.
    public mutating func chunks(_ event: JSONValue) -> [JSONValue] {
        if event["messageStart"] != nil { return [chunk(delta: ["role": "assistant", "content": ""])] }
        if let start = event["contentBlockStart"], let use = start["start"]?["toolUse"], let blockIndex = start["contentBlockIndex"]?.int {
            let toolIndex = toolIndexes.count
            toolIndexes[blockIndex] = toolIndex
            sawToolUse = true
            return [
                chunk(delta: [
                    "tool_calls": [[
                        "index": .integer(Int64(toolIndex)), "id": use["toolUseId"] ?? "", "type": "function",
                        "function": ["name": use["name"] ?? "", "arguments": ""],
                    ]]
                ])
            ]
        }
        if let delta = event["contentBlockDelta"] {
            let body = delta["delta"] ?? [:]
            if let text = body["text"]?.string { return [chunk(delta: ["content": .string(text)])] }
            if let thought = body["reasoningContent"]?["text"]?.string { return [chunk(delta: ["reasoning_content": .string(thought)])] }
            if let fragment = body["toolUse"]?["input"]?.string, let blockIndex = delta["contentBlockIndex"]?.int, let toolIndex = toolIndexes[blockIndex] {
                return [chunk(delta: ["tool_calls": [["index": .integer(Int64(toolIndex)), "function": ["arguments": .string(fragment)]]]])]
            }
            return []
        }
        if let stop = event["messageStop"] {
            let reason = stop["stopReason"]?.string
            return [chunk(delta: [:], finishReason: sawToolUse && reason == "end_turn" ? "tool_calls" : Self.finishReason(reason))]
        }
        if let metadata = event["metadata"], includeUsage, let usage = metadata["usage"], case .object(var last) = chunk(delta: [:]) {
            last["choices"] = []
            last["usage"] = Self.usage(usage)
            return [.object(last)]
        }
        return []
    }

    public static func finishReason(_ reason: String?) -> String {
        switch reason {
        case "tool_use": "tool_calls"
        case "max_tokens", "model_context_window_exceeded": "length"
        case "guardrail_intervened", "content_filtered": "content_filter"
        default: "stop"
        }
    }

    public static func usage(_ usage: JSONValue) -> JSONValue {
        let input = usage["inputTokens"]?.tokenCount ?? 0
        let output = usage["outputTokens"]?.tokenCount ?? 0
        return [
            "prompt_tokens": .integer(Int64(input)), "completion_tokens": .integer(Int64(output)),
            "total_tokens": .integer(Int64(usage["totalTokens"]?.tokenCount ?? input + output)),
            "prompt_tokens_details": ["cached_tokens": .integer(Int64(usage["cacheReadInputTokens"]?.tokenCount ?? 0))],
        ]
    }

    private func chunk(delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(Int64(created)), "model": .string(model),
            "choices": [["index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null, "logprobs": nil]],
        ]
    }
}
