import Foundation
import HTTPTypes
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import SwitchyardWire
import Testing

struct ToolCall: Sendable {
    var id: String?
    var type: String?
    var name: String?
    var arguments: String

    /// The arguments as a JSON value: key order and spacing are each translator's own.
    var argumentsJSON: JSONValue? { try? JSONValue(decoding: arguments) }
}

/// A complete answer, read from the hub dialect, or from Anthropic's when the upstream answered in it natively.
struct ChatAnswer {
    var isWellFormed = false
    var text = ""
    var finishReason: String?
    var toolCalls: [ToolCall] = []
    var usage: ConformanceProfile.Usage?

    static func read(_ reply: UpstreamReply) throws -> ChatAnswer {
        let json = try JSONValue(decoding: reply.body)
        return reply.dialect == .anthropic ? anthropic(json) : hub(json)
    }

    private static func hub(_ completion: JSONValue) -> ChatAnswer {
        var answer = ChatAnswer()
        let choice = completion["choices"]?.array?.first
        let message = choice?["message"]
        answer.isWellFormed = completion["object"]?.string == "chat.completion" && message?["role"]?.string == "assistant"
        answer.text = message?["content"]?.string ?? ""
        answer.finishReason = choice?["finish_reason"]?.string
        answer.toolCalls = (message?["tool_calls"]?.array ?? []).map { call in
            ToolCall(
                id: call["id"]?.string, type: call["type"]?.string, name: call["function"]?["name"]?.string,
                arguments: call["function"]?["arguments"]?.string ?? "")
        }
        answer.usage = usage(prompt: completion["usage"]?["prompt_tokens"], completion: completion["usage"]?["completion_tokens"])
        return answer
    }

    private static func anthropic(_ message: JSONValue) -> ChatAnswer {
        var answer = ChatAnswer()
        answer.isWellFormed = message["type"]?.string == "message" && message["role"]?.string == "assistant"
        for block in message["content"]?.array ?? [] {
            switch block["type"]?.string {
            case "text"?:
                answer.text += block["text"]?.string ?? ""
            case "tool_use"?:
                answer.toolCalls.append(
                    ToolCall(id: block["id"]?.string, type: "function", name: block["name"]?.string, arguments: block["input"]?.jsonText ?? ""))
            default:
                break
            }
        }
        answer.finishReason = message["stop_reason"]?.string.map(hubFinishReason)
        answer.usage = usage(prompt: message["usage"]?["input_tokens"], completion: message["usage"]?["output_tokens"])
        return answer
    }

    static func usage(prompt: JSONValue?, completion: JSONValue?) -> ConformanceProfile.Usage? {
        guard let prompt = prompt?.int, let completion = completion?.int else { return nil }
        return ConformanceProfile.Usage(prompt: prompt, completion: completion)
    }

    static func hubFinishReason(_ stopReason: String) -> String {
        switch stopReason {
        case "end_turn", "stop_sequence": "stop"
        case "tool_use": "tool_calls"
        case "max_tokens": "length"
        default: stopReason
        }
    }
}

/// Everything a stream said, event by event: hub chunks, or native Anthropic events.
struct StreamTranscript {
    var events: [ChatStreamEvent] = []
    var text = ""
    var finishReasons: [String] = []
    var toolCalls: [Int: ToolCall] = [:]
    var usage: ConformanceProfile.Usage?
    /// Whether the last chunk carried the usage (OpenAI sends it last, just before `[DONE]`).
    var usageIsLastChunk = false
    /// Chunks with choices that are not `chat.completion.chunk`s.
    var malformedChunks = 0
    var sawMessageStop = false
    private var promptTokens: Int?

    static func read(_ stream: ChatEventStream) async throws -> StreamTranscript {
        var transcript = StreamTranscript()
        for try await event in stream { try transcript.consume(event) }
        return transcript
    }

    var orderedToolCalls: [ToolCall] { toolCalls.sorted { $0.key < $1.key }.map(\.value) }

    /// `[DONE]` once, as the last event.
    var endedWithDone: Bool { events.last == .done && events.filter { $0 == .done }.count == 1 }

    /// The end of the stream in its own dialect: `[DONE]` for the hub, `message_stop` for native Anthropic events.
    var endedCleanly: Bool { endedWithDone || (sawMessageStop && !events.contains(.done)) }

    mutating func consume(_ event: ChatStreamEvent) throws {
        events.append(event)
        switch event {
        case .chunk(let data):
            try consumeChunk(JSONValue(decoding: data))
        case .native(let event):
            try consumeAnthropicEvent(JSONValue(decoding: event.data))
        case .done:
            break
        }
    }

    private mutating func consumeChunk(_ chunk: JSONValue) {
        let choices = chunk["choices"]?.array ?? []
        if !choices.isEmpty && chunk["object"]?.string != "chat.completion.chunk" { malformedChunks += 1 }
        for choice in choices {
            let delta = choice["delta"]
            if let content = delta?["content"]?.string { text += content }
            if let reason = choice["finish_reason"]?.string { finishReasons.append(reason) }
            for call in delta?["tool_calls"]?.array ?? [] {
                let index = call["index"]?.int ?? 0
                var merged = toolCalls[index] ?? ToolCall(id: nil, type: nil, name: nil, arguments: "")
                merged.id = merged.id ?? call["id"]?.string
                merged.type = merged.type ?? call["type"]?.string
                merged.name = merged.name ?? call["function"]?["name"]?.string
                merged.arguments += call["function"]?["arguments"]?.string ?? ""
                toolCalls[index] = merged
            }
        }
        if let counted = ChatAnswer.usage(prompt: chunk["usage"]?["prompt_tokens"], completion: chunk["usage"]?["completion_tokens"]) {
            usage = counted
            usageIsLastChunk = true
        } else {
            usageIsLastChunk = false
        }
    }

    private mutating func consumeAnthropicEvent(_ event: JSONValue) {
        let index = event["index"]?.int ?? 0
        switch event["type"]?.string {
        case "message_start"?:
            promptTokens = event["message"]?["usage"]?["input_tokens"]?.int
        case "content_block_start"? where event["content_block"]?["type"]?.string == "tool_use":
            let block = event["content_block"]
            toolCalls[index] = ToolCall(id: block?["id"]?.string, type: "function", name: block?["name"]?.string, arguments: "")
        case "content_block_delta"?:
            let delta = event["delta"]
            if let piece = delta?["text"]?.string { text += piece }
            if let fragment = delta?["partial_json"]?.string { toolCalls[index]?.arguments += fragment }
        case "message_delta"?:
            if let reason = event["delta"]?["stop_reason"]?.string { finishReasons.append(ChatAnswer.hubFinishReason(reason)) }
            if let prompt = event["usage"]?["input_tokens"]?.int ?? promptTokens, let completion = event["usage"]?["output_tokens"]?.int {
                usage = ConformanceProfile.Usage(prompt: prompt, completion: completion)
            }
        case "message_stop"?:
            sawMessageStop = true
        default:
            break
        }
    }
}

// MARK: - Helpers

extension Array {
    /// The single element, or nil when there is not exactly one.
    var only: Element? { count == 1 ? first : nil }
}

extension JSONValue {
    var isNumber: Bool {
        switch self {
        case .integer, .number: true
        default: false
        }
    }
}
