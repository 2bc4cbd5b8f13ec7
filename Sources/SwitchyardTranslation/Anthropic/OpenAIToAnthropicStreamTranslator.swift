import SwitchyardCore
public import SwitchyardWire

/// Turns OpenAI `chat.completion.chunk`s into Anthropic's stream events, one chunk at a time, in Anthropic's exact
/// order: `message_start`, then per content block `content_block_start`, its deltas (`text_delta`,
/// `thinking_delta`, `input_json_delta`) and `content_block_stop`, then `message_delta` with the stop reason and
/// usage, and `message_stop`.
///
/// A value-type state machine: `consume` takes one chunk and returns the events it yields; `finish` returns the
/// closing events once the upstream is done. Each event is a JSON object whose `type` is also its SSE event name.
public struct OpenAIToAnthropicStreamTranslator: Sendable {
    package let model: String
    private var started = false
    private var finished = false
    private var messageID = "msg_gateway"
    /// The open content block: its index and kind.
    private var openBlock: (index: Int, kind: BlockKind)?
    private var nextBlockIndex = 0
    /// OpenAI tool-call index → Anthropic content-block index.
    private var toolBlocks: [Int: Int] = [:]
    private var stopReason = "end_turn"
    private var usage: JSONValue?

    private enum BlockKind: Equatable {
        case text, thinking, toolUse(Int)
    }

    /// - Parameter model: the model name to report (the public one the client asked for).
    public init(model: String) {
        self.model = model
    }

    public mutating func consume(_ chunk: JSONValue) -> [JSONValue] {
        guard !finished else { return [] }
        var events: [JSONValue] = []
        if !started {
            started = true
            if let id = chunk["id"]?.string, !id.isEmpty { messageID = id.hasPrefix("msg_") ? id : "msg_\(id)" }
            events.append([
                "type": "message_start",
                "message": [
                    "id": .string(messageID), "type": "message", "role": "assistant", "model": .string(model), "content": [],
                    "stop_reason": nil, "stop_sequence": nil, "usage": ["input_tokens": 0, "output_tokens": 0],
                ],
            ])
        }
        if let chunkUsage = chunk["usage"], !chunkUsage.isNull { usage = chunkUsage }
        guard let choice = chunk["choices"]?.array?.first else { return events }
        let delta = choice["delta"] ?? [:]
        if let reasoning = (delta["reasoning_content"] ?? delta["reasoning"])?.string, !reasoning.isEmpty {
            open(.thinking, start: ["type": "thinking", "thinking": "", "signature": ""], into: &events)
            events.append(blockDelta(["type": "thinking_delta", "thinking": .string(reasoning)]))
        }
        if let text = delta["content"]?.string, !text.isEmpty {
            open(.text, start: ["type": "text", "text": ""], into: &events)
            events.append(blockDelta(["type": "text_delta", "text": .string(text)]))
        }
        for call in delta["tool_calls"]?.array ?? [] {
            let toolIndex = call["index"]?.int ?? 0
            if toolBlocks[toolIndex] == nil {
                open(
                    .toolUse(toolIndex),
                    start: ["type": "tool_use", "id": call["id"] ?? .string("toolu_\(toolIndex)"), "name": call["function"]?["name"] ?? "", "input": [:]],
                    into: &events)
                toolBlocks[toolIndex] = openBlock?.index
            }
            if let fragment = call["function"]?["arguments"]?.string, !fragment.isEmpty, let blockIndex = toolBlocks[toolIndex] {
                events.append([
                    "type": "content_block_delta", "index": .integer(Int64(blockIndex)),
                    "delta": ["type": "input_json_delta", "partial_json": .string(fragment)],
                ])
            }
        }
        if let reason = choice["finish_reason"]?.string { stopReason = OpenAIResponseToAnthropic.stopReason(reason) }
        return events
    }

    /// The closing events: the last block's stop, `message_delta` and `message_stop`.
    public mutating func finish() -> [JSONValue] {
        guard !finished else { return [] }
        var events: [JSONValue] = []
        if !started { events.append(contentsOf: consume(["choices": []])) }
        finished = true
        closeBlock(into: &events)
        var deltaUsage: [String: JSONValue] = ["output_tokens": .integer(Int64(usage?["completion_tokens"]?.int ?? 0))]
        if let usage {
            let anthropic = OpenAIResponseToAnthropic.usage(usage)
            deltaUsage["input_tokens"] = anthropic["input_tokens"]
            deltaUsage["cache_read_input_tokens"] = anthropic["cache_read_input_tokens"]
        }
        events.append(["type": "message_delta", "delta": ["stop_reason": .string(stopReason), "stop_sequence": nil], "usage": .object(deltaUsage)])
        events.append(["type": "message_stop"])
        return events
    }

    private mutating func open(_ kind: BlockKind, start block: JSONValue, into events: inout [JSONValue]) {
        if openBlock?.kind == kind { return }
        closeBlock(into: &events)
        openBlock = (nextBlockIndex, kind)
        events.append(["type": "content_block_start", "index": .integer(Int64(nextBlockIndex)), "content_block": block])
        nextBlockIndex += 1
    }

    private mutating func closeBlock(into events: inout [JSONValue]) {
        guard let block = openBlock else { return }
        events.append(["type": "content_block_stop", "index": .integer(Int64(block.index))])
        openBlock = nil
    }

    private func blockDelta(_ delta: JSONValue) -> JSONValue {
        ["type": "content_block_delta", "index": .integer(Int64(openBlock?.index ?? 0)), "delta": delta]
    }
}
