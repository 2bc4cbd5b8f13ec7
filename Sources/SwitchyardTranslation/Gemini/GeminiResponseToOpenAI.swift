import Foundation
import SwitchyardCore
package import SwitchyardWire

/// Translates a Gemini `generateContent` response into an OpenAI `chat.completion`.
///
/// Text parts join into `content`, thought parts into `reasoning_content`; `functionCall` parts become
/// `tool_calls` (Gemini's id when it gives one, otherwise `call_<n>`), their `args` the arguments JSON; a
/// safety block or refusal becomes `finish_reason: content_filter`.
package struct GeminiResponseToOpenAI {
    package init() {}

    package func translate(_ response: JSONValue, model: String, created: Int = Int(Date().timeIntervalSince1970)) -> JSONValue {
        var choices: [JSONValue] = []
        for (position, candidate) in (response["candidates"]?.array ?? []).enumerated() {
            var text = ""
            var reasoning = ""
            var toolCalls: [JSONValue] = []
            for part in candidate["content"]?["parts"]?.array ?? [] {
                if let call = part["functionCall"] {
                    toolCalls.append(Self.toolCall(call, index: toolCalls.count))
                } else if let piece = part["text"]?.string {
                    if part["thought"]?.bool == true { reasoning += piece } else { text += piece }
                }
            }
            var message: [String: JSONValue] = ["role": "assistant", "content": text.isEmpty && !toolCalls.isEmpty ? .null : .string(text)]
            if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
            if !reasoning.isEmpty { message["reasoning_content"] = .string(reasoning) }
            let reason = Self.finishReason(candidate["finishReason"]?.string, calledTools: !toolCalls.isEmpty)
            choices.append([
                "index": .integer(Int64(candidate["index"]?.int ?? position)), "message": .object(message),
                "finish_reason": .string(reason), "logprobs": nil,
            ])
        }
        if choices.isEmpty {
            // The prompt itself was blocked.
            choices = [["index": 0, "message": ["role": "assistant", "content": nil], "finish_reason": "content_filter", "logprobs": nil]]
        }
        var completion: [String: JSONValue] = [
            "id": .string("chatcmpl-" + (response["responseId"]?.string ?? "gemini")), "object": "chat.completion",
            "created": .integer(Int64(created)), "model": response["modelVersion"] ?? .string(model), "choices": .array(choices),
        ]
        if let usage = response["usageMetadata"] { completion["usage"] = Self.usage(usage) }
        return .object(completion)
    }

    static func toolCall(_ call: JSONValue, index: Int) -> JSONValue {
        [
            "id": call["id"] ?? .string("call_\(index)"), "type": "function",
            "function": ["name": call["name"] ?? "", "arguments": .string((call["args"] ?? [:]).jsonText)],
        ]
    }

    /// Gemini `finishReason` → OpenAI `finish_reason`.
    package static func finishReason(_ reason: String?, calledTools: Bool) -> String {
        switch reason {
        case "MAX_TOKENS": return "length"
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY": return "content_filter"
        default: return calledTools ? "tool_calls" : "stop"
        }
    }

    package static func usage(_ usage: JSONValue) -> JSONValue {
        let prompt = usage["promptTokenCount"]?.tokenCount ?? 0
        let completion = (usage["candidatesTokenCount"]?.tokenCount ?? 0) + (usage["thoughtsTokenCount"]?.tokenCount ?? 0)
        return [
            "prompt_tokens": .integer(Int64(prompt)), "completion_tokens": .integer(Int64(completion)),
            "total_tokens": .integer(Int64(usage["totalTokenCount"]?.tokenCount ?? prompt + completion)),
            "prompt_tokens_details": ["cached_tokens": .integer(Int64(usage["cachedContentTokenCount"]?.tokenCount ?? 0))],
            "completion_tokens_details": ["reasoning_tokens": .integer(Int64(usage["thoughtsTokenCount"]?.tokenCount ?? 0))],
        ]
    }
}
