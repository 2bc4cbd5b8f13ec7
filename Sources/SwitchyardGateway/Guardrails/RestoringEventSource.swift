import NIOCore
import SwitchyardCore
import SwitchyardGuardrails
import SwitchyardWire

/// Passes a streamed answer on with `mask` guardrails' placeholders turned back into what they stood for: in hub
/// chunks (each choice's text and each tool call's arguments) and in an Anthropic upstream's own events (text and
/// tool-input deltas). Each piece of text is given out at once but for a tail that could still become a placeholder
/// (never longer than one), given out with the next delta or before its part ends.
struct RestoringEventSource: ChatEventSource {
    private var base: ChatEventStream.AsyncIterator
    private let template: PlaceholderRestorer
    /// For text inside JSON (tool arguments): the originals JSON-escaped, so the arguments stay valid JSON.
    private let jsonTemplate: PlaceholderRestorer
    private var ended = false
    /// One restorer per stream of text: a choice's content, a tool call's arguments, an Anthropic content block.
    private var restorers: [String: PlaceholderRestorer] = [:]
    /// Events made here, given out before the next upstream event.
    private var pending: [ChatStreamEvent] = []
    /// Each Anthropic content block's kind of delta (`text_delta`, `input_json_delta`).
    private var deltaKinds: [Int: String] = [:]

    init(base: ChatEventStream.AsyncIterator, originals: [String: String]) {
        self.base = base
        template = PlaceholderRestorer(originals: originals)
        jsonTemplate = PlaceholderRestorer(
            originals: originals.mapValues { original in String(String(buffer: JSONValue.string(original).encoded).dropFirst().dropLast()) })
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if !pending.isEmpty { return pending.removeFirst() }
        guard !ended else { return nil }
        guard let event = try await base.next() else {
            // Ended without a finish reason: what is still held goes out first.
            ended = true
            pending = flushed()
            return pending.isEmpty ? nil : pending.removeFirst()
        }
        switch event {
        case .chunk(let data):
            return .chunk(restoredChunk(data))
        case .done:
            pending = flushed() + [.done]
            return pending.removeFirst()
        case .native(let native):
            return restoredNative(native)
        }
    }

    mutating func abandon() { base.abandon() }

    // MARK: Hub chunks

    private mutating func restoredChunk(_ data: ByteBuffer) -> ByteBuffer {
        guard case .object(var chunk)? = try? JSONValue(decoding: data), case .array(var choices)? = chunk["choices"] else { return data }
        for position in choices.indices {
            guard case .object(var choice) = choices[position] else { continue }
            let index = choice["index"]?.int ?? position
            let finished = choice["finish_reason"].map { !$0.isNull } ?? false
            var delta = choice["delta"]?.object ?? [:]
            let content = delta["content"]?.string
            if content != nil || finished {
                var text = restore(content ?? "", key: "c\(index)")
                if finished { text += finish("c\(index)") }
                if content != nil || !text.isEmpty { delta["content"] = .string(text) }
            }
            if case .array(var calls)? = delta["tool_calls"] {
                for call in calls.indices {
                    guard case .object(var members) = calls[call], case .object(var function)? = members["function"],
                        let arguments = function["arguments"]?.string
                    else { continue }
                    function["arguments"] = .string(restore(arguments, key: "t\(index).\(members["index"]?.int ?? call)", json: true))
                    members["function"] = .object(function)
                    calls[call] = .object(members)
                }
                delta["tool_calls"] = .array(calls)
            }
            if finished {
                // Arguments held back by the choice's tool calls go out before it ends.
                for key in restorers.keys.sorted() where key.hasPrefix("t\(index).") {
                    let held = finish(key)
                    guard !held.isEmpty, let call = Int(key.dropFirst("t\(index).".count)) else { continue }
                    var calls = delta["tool_calls"]?.array ?? []
                    calls.append(["index": .integer(Int64(call)), "function": ["arguments": .string(held)]])
                    delta["tool_calls"] = .array(calls)
                }
            }
            if choice["delta"] != nil || !delta.isEmpty { choice["delta"] = .object(delta) }
            choices[position] = .object(choice)
        }
        chunk["choices"] = .array(choices)
        return JSONValue.object(chunk).encoded
    }

    // MARK: Anthropic events

    private mutating func restoredNative(_ event: ServerSentEvent) -> ChatStreamEvent {
        guard case .object(var payload)? = try? JSONValue(decoding: event.data) else { return .native(event) }
        let index = payload["index"]?.int ?? 0
        switch payload["type"]?.string {
        case "content_block_delta"?:
            guard case .object(var delta)? = payload["delta"] else { return .native(event) }
            if let kind = delta["type"]?.string { deltaKinds[index] = kind }
            for field in ["text", "partial_json"] {
                if let text = delta[field]?.string { delta[field] = .string(restore(text, key: "b\(index)", json: field == "partial_json")) }
            }
            payload["delta"] = .object(delta)
            var restored = event
            restored.data = JSONValue.object(payload).encoded
            return .native(restored)
        case "content_block_stop"?:
            let held = finish("b\(index)")
            guard !held.isEmpty else { return .native(event) }
            // What was held back goes out as one more delta of the block, just before it ends.
            let kind = deltaKinds[index] ?? "text_delta"
            let field = kind == "input_json_delta" ? "partial_json" : "text"
            let delta: JSONValue = [
                "type": "content_block_delta", "index": .integer(Int64(index)), "delta": .object(["type": .string(kind), field: .string(held)]),
            ]
            pending.append(.native(event))
            return .native(ServerSentEvent(event: "content_block_delta", data: delta.encoded))
        default:
            return .native(event)
        }
    }

    // MARK: Restorers

    private mutating func restore(_ text: String, key: String, json: Bool = false) -> String {
        var restorer = restorers[key] ?? (json ? jsonTemplate : template)
        let out = restorer.restore(delta: text)
        restorers[key] = restorer
        return out
    }

    private mutating func finish(_ key: String) -> String {
        guard var restorer = restorers.removeValue(forKey: key) else { return "" }
        return restorer.finish()
    }

    /// Hub chunks for text and tool arguments still held back when the stream ended without a finish reason.
    private mutating func flushed() -> [ChatStreamEvent] {
        var events: [ChatStreamEvent] = []
        for key in restorers.keys.sorted() {
            let held = finish(key)
            guard !held.isEmpty else { continue }
            var delta: JSONValue
            var index: Int
            if key.hasPrefix("c"), let choice = Int(key.dropFirst()) {
                (delta, index) = (["content": .string(held)], choice)
            } else if key.hasPrefix("t"), case let parts = key.dropFirst().split(separator: "."), parts.count == 2, let choice = Int(parts[0]),
                let call = Int(parts[1])
            {
                (delta, index) = (["tool_calls": [["index": .integer(Int64(call)), "function": ["arguments": .string(held)]]]], choice)
            } else {
                continue
            }
            let chunk: JSONValue = ["object": "chat.completion.chunk", "choices": [["index": .integer(Int64(index)), "delta": delta]]]
            events.append(.chunk(chunk.encoded))
        }
        return events
    }
}
