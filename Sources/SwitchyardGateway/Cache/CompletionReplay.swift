import SwitchyardTranslation
import SwitchyardWire

/// A cached chat completion as the chunks of a stream: the text, each tool call whole, the finish reason, and the
/// usage chunk when the client asked for one; the stream's client then reads it like any other.
enum CompletionReplay {
    static func chunks(of completion: JSONValue, includeUsage: Bool) -> [JSONValue] {
        let id = completion["id"]?.string ?? "chatcmpl-cache"
        let created = completion["created"]?.int ?? 0
        let model = completion["model"] ?? .null
        let choice = completion["choices"]?.array?.first
        let message = choice?["message"]
        var chunks: [JSONValue] = []
        var opening: [String: JSONValue] = ["role": "assistant", "content": message?["content"] ?? ""]
        if let refusal = message?["refusal"], !refusal.isNull { opening["refusal"] = refusal }
        if let reasoning = message?["reasoning_content"], !reasoning.isNull { opening["reasoning_content"] = reasoning }
        chunks.append(HubChunk.make(id: id, created: created, model: model, delta: .object(opening)))
        if let calls = message?["tool_calls"]?.array, !calls.isEmpty {
            let deltas: [JSONValue] = calls.enumerated().map { index, call in
                [
                    "index": .integer(Int64(index)), "id": call["id"] ?? .null, "type": call["type"] ?? "function",
                    "function": ["name": call["function"]?["name"] ?? "", "arguments": call["function"]?["arguments"] ?? ""],
                ]
            }
            chunks.append(HubChunk.make(id: id, created: created, model: model, delta: ["tool_calls": .array(deltas)]))
        }
        chunks.append(HubChunk.make(id: id, created: created, model: model, delta: [:], finishReason: choice?["finish_reason"]?.string ?? "stop"))
        if includeUsage, let usage = completion["usage"], !usage.isNull {
            chunks.append(HubChunk.usage(id: id, created: created, model: model, usage: usage))
        }
        return chunks
    }
}
