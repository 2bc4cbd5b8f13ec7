import Foundation
import SwitchyardCore
package import SwitchyardWire

/// Translates Bedrock Converse answers, whole or streamed event by event, into OpenAI completions and chunks.
package struct BedrockToOpenAI: Sendable {
    package let includeUsage: Bool
    package let model: String
    private let created: Int
    private let id: String
    private var toolIndexes: [Int: Int] = [:]
    private var usage: JSONValue?
    private var sawToolUse = false

    package init(model: String, includeUsage: Bool = false, created: Int = Int(Date().timeIntervalSince1970)) {
        self.model = model
        self.includeUsage = includeUsage
        self.created = created
        id = "chatcmpl-bedrock-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A complete Converse response.
    package func completion(_ response: JSONValue, created: Int) -> JSONValue {
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
    package mutating func chunks(_ event: JSONValue) -> [JSONValue] {
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
        if let metadata = event["metadata"], includeUsage, let usage = metadata["usage"] {
            return [HubChunk.usage(id: id, created: created, model: .string(model), usage: Self.usage(usage))]
        }
        return []
    }

    package static func finishReason(_ reason: String?) -> String {
        switch reason {
        case "tool_use": "tool_calls"
        case "max_tokens", "model_context_window_exceeded": "length"
        case "guardrail_intervened", "content_filtered": "content_filter"
        default: "stop"
        }
    }

    package static func usage(_ usage: JSONValue) -> JSONValue {
        let input = usage["inputTokens"]?.tokenCount ?? 0
        let output = usage["outputTokens"]?.tokenCount ?? 0
        return [
            "prompt_tokens": .integer(Int64(input)), "completion_tokens": .integer(Int64(output)),
            "total_tokens": .integer(Int64(usage["totalTokens"]?.tokenCount ?? input + output)),
            "prompt_tokens_details": ["cached_tokens": .integer(Int64(usage["cacheReadInputTokens"]?.tokenCount ?? 0))],
        ]
    }

    private func chunk(delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        HubChunk.make(id: id, created: created, model: .string(model), delta: delta, finishReason: finishReason)
    }
}
