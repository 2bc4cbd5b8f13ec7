import Foundation
package import SwitchyardCore
package import SwitchyardWire

/// Translates Ollama's `/api/chat` answers, whole or streamed line by line, into OpenAI completions and chunks.
/// Ollama gives tool calls no ids, so they get `call_<n>`; its arguments objects become JSON strings.
package struct OllamaToOpenAI: Sendable {
    package let includeUsage: Bool
    private let created: Int
    private var toolCount = 0
    private var started = false
    private let id = "chatcmpl-ollama-\(UInt32.random(in: 0...UInt32.max))"

    package init(includeUsage: Bool = false, created: Int = Int(Date().timeIntervalSince1970)) {
        self.includeUsage = includeUsage
        self.created = created
    }

    /// A complete (non-streamed) answer.
    package mutating func completion(_ response: JSONValue) -> JSONValue {
        let message = response["message"] ?? [:]
        var output: [String: JSONValue] = ["role": "assistant", "content": message["content"] ?? ""]
        let calls = toolCalls(message, streamed: false)
        if !calls.isEmpty {
            output["tool_calls"] = .array(calls)
            if message["content"]?.string?.isEmpty ?? true { output["content"] = .null }
        }
        if let thinking = message["thinking"]?.string, !thinking.isEmpty { output["reasoning_content"] = .string(thinking) }
        return [
            "id": .string(id), "object": "chat.completion", "created": .integer(Int64(created)), "model": response["model"] ?? "",
            "choices": [["index": 0, "message": .object(output), "finish_reason": .string(finishReason(response)), "logprobs": nil]],
            "usage": usage(response),
        ]
    }

    /// The chunks for one streamed line.
    package mutating func chunks(_ line: JSONValue) throws(GatewayError) -> [JSONValue] {
        if let error = line["error"]?.string { throw GatewayError.upstreamUnavailable(error) }
        var chunks: [JSONValue] = []
        let model = line["model"] ?? ""
        if !started {
            started = true
            chunks.append(chunk(model: model, delta: ["role": "assistant", "content": ""]))
        }
        let message = line["message"] ?? [:]
        if let thinking = message["thinking"]?.string, !thinking.isEmpty {
            chunks.append(chunk(model: model, delta: ["reasoning_content": .string(thinking)]))
        }
        if let content = message["content"]?.string, !content.isEmpty {
            chunks.append(chunk(model: model, delta: ["content": .string(content)]))
        }
        let calls = toolCalls(message, streamed: true)
        if !calls.isEmpty { chunks.append(chunk(model: model, delta: ["tool_calls": .array(calls)])) }
        if line["done"]?.bool == true {
            chunks.append(chunk(model: model, delta: [:], finishReason: finishReason(line)))
            if includeUsage { chunks.append(HubChunk.usage(id: id, created: created, model: model, usage: usage(line))) }
        }
        return chunks
    }

    private mutating func toolCalls(_ message: JSONValue, streamed: Bool) -> [JSONValue] {
        (message["tool_calls"]?.array ?? []).map { call in
            defer { toolCount += 1 }
            var output: [String: JSONValue] = [
                "id": .string("call_\(toolCount)"), "type": "function",
                "function": ["name": call["function"]?["name"] ?? "", "arguments": .string((call["function"]?["arguments"] ?? [:]).jsonText)],
            ]
            if streamed { output["index"] = .integer(Int64(toolCount)) }
            return .object(output)
        }
    }

    private func finishReason(_ response: JSONValue) -> String {
        if toolCount > 0 { return "tool_calls" }
        return response["done_reason"]?.string == "length" ? "length" : "stop"
    }

    private func usage(_ response: JSONValue) -> JSONValue {
        let prompt = response["prompt_eval_count"]?.tokenCount ?? 0
        let completion = response["eval_count"]?.tokenCount ?? 0
        return ["prompt_tokens": .integer(Int64(prompt)), "completion_tokens": .integer(Int64(completion)), "total_tokens": .integer(Int64(prompt + completion))]
    }

    private func chunk(model: JSONValue, delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        HubChunk.make(id: id, created: created, model: model, delta: delta, finishReason: finishReason)
    }
}
