import SwitchyardCore
package import SwitchyardWire

/// Translates an OpenAI `chat.completion` into an Anthropic Messages response (for a client of `/v1/messages`).
package struct OpenAIResponseToAnthropic {
    package init() {}

    package func translate(_ completion: JSONValue, model: String) -> JSONValue {
        let choice = completion["choices"]?.array?.first ?? [:]
        let message = choice["message"] ?? [:]
        var content: [JSONValue] = Self.thinkingBlocks(message)
        if let text = message["content"]?.string, !text.isEmpty { content.append(["type": "text", "text": .string(text)]) }
        for call in message["tool_calls"]?.array ?? [] {
            content.append([
                "type": "tool_use", "id": call["id"] ?? "", "name": call["function"]?["name"] ?? "",
                "input": Self.input(call["function"]?["arguments"]?.string),
            ])
        }
        let id = completion["id"]?.string ?? ""
        return [
            "id": .string(id.hasPrefix("msg_") ? id : "msg_\(id)"), "type": "message", "role": "assistant", "model": .string(model),
            "content": .array(content), "stop_reason": .string(Self.stopReason(choice["finish_reason"]?.string)), "stop_sequence": nil,
            "usage": Self.usage(completion["usage"]),
        ]
    }

    /// OpenAI `finish_reason` → Anthropic `stop_reason`.
    package static func stopReason(_ reason: String?) -> String {
        switch reason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        case "content_filter": "refusal"
        default: "end_turn"
        }
    }

    /// OpenAI usage → Anthropic usage: cached prompt tokens are reported apart, as Anthropic does.
    package static func usage(_ usage: JSONValue?) -> JSONValue {
        let prompt = usage?["prompt_tokens"]?.tokenCount ?? 0
        let cached = usage?["prompt_tokens_details"]?["cached_tokens"]?.tokenCount ?? 0
        return [
            "input_tokens": .integer(Int64(max(0, prompt - cached))), "output_tokens": .integer(Int64(usage?["completion_tokens"]?.tokenCount ?? 0)),
            "cache_read_input_tokens": .integer(Int64(cached)), "cache_creation_input_tokens": 0,
        ]
    }

    /// Tool arguments as the object Anthropic expects; text that is not a JSON object is kept under `arguments`.
    static func input(_ arguments: String?) -> JSONValue {
        guard let arguments, !arguments.isEmpty else { return [:] }
        if let value = try? JSONValue(decoding: arguments), value.object != nil { return value }
        return ["arguments": .string(arguments)]
    }

    /// Thinking blocks handed out earlier come back whole; bare reasoning text becomes a thinking block.
    static func thinkingBlocks(_ message: JSONValue) -> [JSONValue] {
        if let blocks = message["thinking_blocks"]?.array, !blocks.isEmpty { return blocks }
        if let reasoning = message["reasoning_content"]?.string ?? message["reasoning"]?.string, !reasoning.isEmpty {
            return [["type": "thinking", "thinking": .string(reasoning), "signature": ""]]
        }
        return []
    }
}
