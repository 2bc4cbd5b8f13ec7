import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Passes a streamed answer on with its texts rewritten by `Rewriter` as they stream: in hub chunks (each choice's
/// text and each tool call's arguments) and in an Anthropic upstream's own events (text and tool-input deltas).
/// What the rewriter holds back of a text is given out with its next delta, or just before its part ends.
struct TextRewritingEventSource<Rewriter: StreamTextRewriter>: ChatEventSource {
    private var base: ChatEventStream.AsyncIterator
    private var rewriter: Rewriter
    private var ended = false
    /// Whether the rewriter was told that the stream ended.
    private var told = false
    /// Events made here, given out before the next upstream event.
    private var pending: [ChatStreamEvent] = []
    /// Each Anthropic content block's kind of delta (`text_delta`, `input_json_delta`).
    private var deltaKinds: [Int: String] = [:]

    init(base: ChatEventStream.AsyncIterator, rewriter: Rewriter) {
        self.base = base
        self.rewriter = rewriter
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if !pending.isEmpty { return pending.removeFirst() }
        guard !ended else { return nil }
        let received: ChatStreamEvent?
        do {
            received = try await base.next()
        } catch {
            rewriter.streamStopped()
            throw error
        }
        guard let event = received else {
            // Ended without a finish reason: what is still held goes out first.
            ended = true
            pending = try flushed()
            try await tellEnded()
            return pending.isEmpty ? nil : pending.removeFirst()
        }
        switch event {
        case .chunk(let data):
            return .chunk(try rewrittenChunk(data))
        case .done:
            pending = try flushed()
            try await tellEnded()
            pending.append(.done)
            return pending.removeFirst()
        case .native(let native):
            return try await rewrittenNative(native)
        }
    }

    /// Tells the rewriter, once, that the answer is whole (it may still refuse it).
    private mutating func tellEnded() async throws {
        guard !told else { return }
        told = true
        try await rewriter.streamEnded()
    }

    mutating func abandon() {
        rewriter.streamStopped()
        base.abandon()
    }

    // MARK: Hub chunks

    private mutating func rewrittenChunk(_ data: ByteBuffer) throws -> ByteBuffer {
        guard case .object(var chunk)? = try? JSONValue(decoding: data), case .array(var choices)? = chunk["choices"] else { return data }
        for position in choices.indices {
            guard case .object(var choice) = choices[position] else { continue }
            let index = choice["index"]?.int ?? position
            let finished = choice["finish_reason"].map { !$0.isNull } ?? false
            var delta = choice["delta"]?.object ?? [:]
            for (field, prefix) in [("content", "c"), ("refusal", "r")] {
                let given = delta[field]?.string
                guard given != nil || finished else { continue }
                var text = try rewrite(given ?? "", key: "\(prefix)\(index)")
                if finished { text += try finish("\(prefix)\(index)") }
                if given != nil || !text.isEmpty { delta[field] = .string(text) }
            }
            if case .array(var calls)? = delta["tool_calls"] {
                for call in calls.indices {
                    guard case .object(var members) = calls[call], case .object(var function)? = members["function"],
                        let arguments = function["arguments"]?.string
                    else { continue }
                    function["arguments"] = .string(try rewrite(arguments, key: "t\(index).\(members["index"]?.int ?? call)", json: true))
                    members["function"] = .object(function)
                    calls[call] = .object(members)
                }
                delta["tool_calls"] = .array(calls)
            }
            if finished {
                // Arguments held back by the choice's tool calls go out before it ends.
                for key in rewriter.heldKeys.sorted() where key.hasPrefix("t\(index).") {
                    let held = try finish(key)
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

    private mutating func rewrittenNative(_ event: ServerSentEvent) async throws -> ChatStreamEvent {
        guard case .object(var payload)? = try? JSONValue(decoding: event.data) else { return .native(event) }
        let index = payload["index"]?.int ?? 0
        switch payload["type"]?.string {
        case "content_block_delta"?:
            guard case .object(var delta)? = payload["delta"] else { return .native(event) }
            if let kind = delta["type"]?.string { deltaKinds[index] = kind }
            for field in ["text", "partial_json"] {
                if let text = delta[field]?.string { delta[field] = .string(try rewrite(text, key: "b\(index)", json: field == "partial_json")) }
            }
            payload["delta"] = .object(delta)
            var rewritten = event
            rewritten.data = JSONValue.object(payload).encoded
            return .native(rewritten)
        case "message_stop"?:
            try await tellEnded()
            return .native(event)
        case "content_block_stop"?:
            let held = try finish("b\(index)")
            guard !held.isEmpty else { return .native(event) }
            // What was held back goes out as one more delta of the block, just before it ends.
            pending.append(.native(event))
            return .native(Self.blockDelta(held, index: index, kind: deltaKinds[index] ?? "text_delta"))
        default:
            return .native(event)
        }
    }

    // MARK: Rewriting

    private mutating func rewrite(_ text: String, key: String, json: Bool = false) throws -> String {
        try rewriter.rewrite(text, key: key, json: json)
    }

    private mutating func finish(_ key: String) throws -> String {
        try rewriter.finish(key)
    }

    /// An Anthropic `content_block_delta` giving out `text` for the block `index`.
    static func blockDelta(_ text: String, index: Int, kind: String) -> ServerSentEvent {
        let field = kind == "input_json_delta" ? "partial_json" : "text"
        let delta: JSONValue = [
            "type": "content_block_delta", "index": .integer(Int64(index)), "delta": .object(["type": .string(kind), field: .string(text)]),
        ]
        return ServerSentEvent(event: "content_block_delta", data: delta.encoded)
    }

    /// Events for text still held back when the stream ended without a finish reason (or a block's end).
    private mutating func flushed() throws -> [ChatStreamEvent] {
        var events: [ChatStreamEvent] = []
        for key in rewriter.heldKeys.sorted() {
            let held = try finish(key)
            guard !held.isEmpty else { continue }
            var delta: JSONValue
            var index: Int
            if key.hasPrefix("c"), let choice = Int(key.dropFirst()) {
                (delta, index) = (["content": .string(held)], choice)
            } else if key.hasPrefix("r"), let choice = Int(key.dropFirst()) {
                (delta, index) = (["refusal": .string(held)], choice)
            } else if key.hasPrefix("b"), let block = Int(key.dropFirst()) {
                events.append(.native(Self.blockDelta(held, index: block, kind: deltaKinds[block] ?? "text_delta")))
                continue
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
