import Foundation
package import SwitchyardCore
package import SwitchyardWire

/// Turns Anthropic stream events into OpenAI `chat.completion.chunk`s, one event at a time.
///
/// A value-type state machine: `consume` takes one event's JSON and returns the chunks to send for it. Tool-use
/// blocks get consecutive OpenAI tool-call indexes; their arguments stream as the same JSON fragments
/// Anthropic sends. The usage chunk is emitted only when the client asked for it.
package struct AnthropicToOpenAIStreamTranslator: Sendable {
    package let includeUsage: Bool
    package let created: Int
    private var id = ""
    private var model = ""
    private var inputUsage: JSONValue = [:]
    /// Anthropic content-block index → OpenAI tool-call index.
    private var toolIndexes: [Int: Int] = [:]
    /// Thinking blocks being received, by content-block index: handed on whole, signature included, when they end,
    /// so a client can pass them back on its next turn.
    private var thinkingBlocks: [Int: [String: JSONValue]] = [:]
    private var finished = false

    package init(includeUsage: Bool, created: Int = Int(Date().timeIntervalSince1970)) {
        self.includeUsage = includeUsage
        self.created = created
    }

    /// The chunks for one event; throws the upstream's error when the event is an error.
    package mutating func consume(_ event: JSONValue) throws(GatewayError) -> [JSONValue] {
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
                let total = AnthropicResponseToOpenAI.usage(usage, inputOverride: usage["input_tokens"] == nil ? inputUsage : nil)
                chunks.append(HubChunk.usage(id: id, created: created, model: .string(model), usage: total))
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
        HubChunk.make(id: id, created: created, model: .string(model), delta: delta, finishReason: finishReason)
    }
}
