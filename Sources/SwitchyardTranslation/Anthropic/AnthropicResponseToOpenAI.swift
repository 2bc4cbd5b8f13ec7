import Foundation
import SwitchyardCore
package import SwitchyardWire

/// Translates an Anthropic Messages response into an OpenAI `chat.completion`.
///
/// Text blocks join into `content`; `tool_use` blocks become `tool_calls` with the same ids and their input as a
/// JSON arguments string; thinking blocks become `reasoning_content`, and are kept whole (signatures included)
/// in `thinking_blocks` so a client can pass them back; stop reasons and usage map to their OpenAI names.
package struct AnthropicResponseToOpenAI {
    package init() {}

    package func translate(_ response: JSONValue, created: Int = Int(Date().timeIntervalSince1970)) -> JSONValue {
        var text = ""
        var hasText = false
        var reasoning = ""
        var thinkingBlocks: [JSONValue] = []
        var toolCalls: [JSONValue] = []
        for block in response["content"]?.array ?? [] {
            switch block["type"]?.string {
            case "text":
                hasText = true
                text += block["text"]?.string ?? ""
            case "thinking":
                reasoning += block["thinking"]?.string ?? ""
                thinkingBlocks.append(block)
            case "redacted_thinking":
                thinkingBlocks.append(block)
            case "tool_use":
                toolCalls.append([
                    "id": block["id"] ?? "", "type": "function",
                    "function": ["name": block["name"] ?? "", "arguments": .string((block["input"] ?? [:]).jsonText)],
                ])
            default:
                break
            }
        }
        var message: [String: JSONValue] = ["role": "assistant", "content": hasText ? .string(text) : .null]
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
        if !thinkingBlocks.isEmpty {
            message["reasoning_content"] = .string(reasoning)
            message["thinking_blocks"] = .array(thinkingBlocks)
        }
        var completion: [String: JSONValue] = [
            "id": response["id"] ?? "", "object": "chat.completion", "created": .integer(Int64(created)), "model": response["model"] ?? "",
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(Self.finishReason(response["stop_reason"]?.string)), "logprobs": nil]],
        ]
        if let usage = response["usage"] { completion["usage"] = Self.usage(usage) }
        return .object(completion)
    }

    /// Anthropic `stop_reason` → OpenAI `finish_reason`.
    package static func finishReason(_ reason: String?) -> String {
        switch reason {
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    /// Anthropic usage → OpenAI usage: cached and cache-writing input counts as prompt tokens.
    package static func usage(_ usage: JSONValue, inputOverride: JSONValue? = nil) -> JSONValue {
        let source = inputOverride ?? usage
        let input = source["input_tokens"]?.tokenCount ?? 0
        let cacheRead = source["cache_read_input_tokens"]?.tokenCount ?? 0
        let cacheWrite = source["cache_creation_input_tokens"]?.tokenCount ?? 0
        let output = usage["output_tokens"]?.tokenCount ?? 0
        let prompt = input + cacheRead + cacheWrite
        return [
            "prompt_tokens": .integer(Int64(prompt)), "completion_tokens": .integer(Int64(output)),
            "total_tokens": .integer(Int64(prompt + output)),
            "prompt_tokens_details": ["cached_tokens": .integer(Int64(cacheRead))],
        ]
    }
}
