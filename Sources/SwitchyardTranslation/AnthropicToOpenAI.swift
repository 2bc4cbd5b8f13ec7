import Foundation
import SwitchyardCore
import SwitchyardWire

/// Translates an Anthropic Messages response into an OpenAI `chat.completion`.
///
/// Text blocks join into `content`; `tool_use` blocks become `tool_calls` with the same ids and their input as a
/// JSON arguments string; thinking blocks become `reasoning_content`, and are kept whole (signatures included)
/// in `thinking_blocks` so a client can pass them back; stop reasons and usage map to their OpenAI names.
public struct AnthropicResponseToOpenAI {
    public init() {}

    public func translate(_ response: JSONValue, created: Int = Int(Date().timeIntervalSince1970)) -> JSONValue {
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
    public static func finishReason(_ reason: String?) -> String {
        switch reason {
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    /// Anthropic usage → OpenAI usage: cached and cache-writing input counts as prompt tokens.
    public static func usage(_ usage: JSONValue, inputOverride: JSONValue? = nil) -> JSONValue {
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

/// Turns Anthropic stream events into OpenAI `chat.completion.chunk`s, one event at a time.
///
/// A value-type state machine: `consume` takes one event's JSON and returns the chunks to send for it. Tool-use
/// blocks get consecutive OpenAI tool-call indexes; their arguments stream as the same JSON fragments
/// Anthropic sends. The usage chunk is emitted only when the client asked for it.
public struct AnthropicToOpenAIStreamTranslator: Sendable {
    public let includeUsage: Bool
    public let created: Int
    private var id = ""
    private var model = ""
    private var inputUsage: JSONValue = [:]
    /// Anthropic content-block index → OpenAI tool-call index.
    private var toolIndexes: [Int: Int] = [:]
    /// Thinking blocks being received, by content-block index: handed on whole, signature included, when they end,
    /// so a client can pass them back on its next turn.
    private var thinkingBlocks: [Int: [String: JSONValue]] = [:]
    private var finished = false

    public init(includeUsage: Bool, created: Int = Int(Date().timeIntervalSince1970)) {
        self.includeUsage = includeUsage
        self.created = created
    }

    /// The chunks for one event; throws the upstream's error when the event is an error.
    public mutating func consume(_ event: JSONValue) throws(GatewayError) -> [JSONValue] {
        switch event["type"]?.string {
        case "message_start":
            let message = event["message"] ?? [:]
            id = message["id"]?.string ?? ""
            model = message["model"]?.string ?? ""
            inputUsage = message["usage"] ?? [:]
            return [chunk(delta: ["role": "assistant", "content": ""])]
        case "content_block_start":
            let block = event["content_block"] ?? [:]
            guard let blockIndex = event["index"]?.int else { return [] }
            if block["type"]?.string == "thinking" || block["type"]?.string == "redacted_thinking" {
                thinkingBlocks[blockIndex] = block.object ?? [:]
                return []
            }
            guard block["type"]?.string == "tool_use" else { return [] }
            let toolIndex = toolIndexes.count
            toolIndexes[blockIndex] = toolIndex
            return [
                chunk(delta: [
                    "tool_calls": [[
                        "index": .integer(Int64(toolIndex)), "id": block["id"] ?? "", "type": "function",
                        "function": ["name": block["name"] ?? "", "arguments": ""],
                    ]]
                ])
            ]
        case "content_block_delta":
            let delta = event["delta"] ?? [:]
            switch delta["type"]?.string {
            case "text_delta":
                return [chunk(delta: ["content": delta["text"] ?? ""])]
            case "input_json_delta":
                guard let blockIndex = event["index"]?.int, let toolIndex = toolIndexes[blockIndex] else { return [] }
                return [
                    chunk(delta: [
                        "tool_calls": [["index": .integer(Int64(toolIndex)), "function": ["arguments": delta["partial_json"] ?? ""]]]
                    ])
                ]
            case "thinking_delta":
                if let blockIndex = event["index"]?.int, let text = delta["thinking"]?.string, var block = thinkingBlocks[blockIndex] {
                    block["thinking"] = .string((block["thinking"]?.string ?? "") + text)
                    thinkingBlocks[blockIndex] = block
                }
                return [chunk(delta: ["reasoning_content": delta["thinking"] ?? ""])]
            case "signature_delta":
                if let blockIndex = event["index"]?.int { thinkingBlocks[blockIndex]?["signature"] = delta["signature"] }
                return []
            default:
                return []
            }
        case "content_block_stop":
            guard let blockIndex = event["index"]?.int, let block = thinkingBlocks.removeValue(forKey: blockIndex) else { return [] }
            return [chunk(delta: ["thinking_blocks": [.object(block)]])]
        case "message_delta":
            var chunks: [JSONValue] = []
            if let reason = event["delta"]?["stop_reason"]?.string {
                chunks.append(chunk(delta: [:], finishReason: AnthropicResponseToOpenAI.finishReason(reason)))
            }
            if includeUsage, let usage = event["usage"] {
                var usageChunk = chunk(delta: [:]).object ?? [:]
                usageChunk["choices"] = []
                usageChunk["usage"] = AnthropicResponseToOpenAI.usage(usage, inputOverride: usage["input_tokens"] == nil ? inputUsage : nil)
                chunks.append(.object(usageChunk))
            }
            return chunks
        case "error":
            let error = event["error"] ?? [:]
            let type = error["type"]?.string ?? "api_error"
            let status = AnthropicErrors.status(forType: type)
            var gatewayError = GatewayError(
                status: status, kind: GatewayError.kind(forStatus: status), code: type,
                message: error["message"]?.string ?? "The upstream stream failed.")
            gatewayError.upstreamType = type
            throw gatewayError
        default:
            return []  // ping, content_block_stop, message_stop
        }
    }

    private func chunk(delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(Int64(created)), "model": .string(model),
            "choices": [["index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null, "logprobs": nil]],
        ]
    }
}

/// The HTTP status of each Anthropic error type.
public enum AnthropicErrors {
    public static func status(forType type: String) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "permission_error": 403
        case "not_found_error": 404
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "overloaded_error": 529
        case "timeout_error": 504
        default: 500
        }
    }
}
