import Foundation
import SwitchyardCore
package import SwitchyardWire

/// Turns Gemini's streamed responses (each a partial `GenerateContentResponse`) into OpenAI chunks.
/// Gemini sends each function call whole, so its arguments arrive in one delta.
package struct GeminiToOpenAIStreamTranslator: Sendable {
    package let includeUsage: Bool
    package let model: String
    private let created: Int
    private var started = false
    private var toolCount = 0
    private var usage: JSONValue?
    private var id = "chatcmpl-gemini"

    package init(includeUsage: Bool, model: String, created: Int = Int(Date().timeIntervalSince1970)) {
        self.includeUsage = includeUsage
        self.model = model
        self.created = created
    }

    package mutating func consume(_ response: JSONValue) -> [JSONValue] {
        var chunks: [JSONValue] = []
        if let responseID = response["responseId"]?.string { id = "chatcmpl-" + responseID }
        if !started {
            started = true
            chunks.append(chunk(delta: ["role": "assistant", "content": ""]))
        }
        if let metadata = response["usageMetadata"] { usage = metadata }
        guard let candidate = response["candidates"]?.array?.first else {
            if response["promptFeedback"]?["blockReason"] != nil { chunks.append(chunk(delta: [:], finishReason: "content_filter")) }
            return chunks
        }
        for part in candidate["content"]?["parts"]?.array ?? [] {
            if let call = part["functionCall"] {
                var toolCall = GeminiResponseToOpenAI.toolCall(call, index: toolCount).object ?? [:]
                toolCall["index"] = .integer(Int64(toolCount))
                toolCount += 1
                chunks.append(chunk(delta: ["tool_calls": [.object(toolCall)]]))
            } else if let text = part["text"]?.string, !text.isEmpty {
                chunks.append(chunk(delta: part["thought"]?.bool == true ? ["reasoning_content": .string(text)] : ["content": .string(text)]))
            }
        }
        if let reason = candidate["finishReason"]?.string {
            chunks.append(chunk(delta: [:], finishReason: GeminiResponseToOpenAI.finishReason(reason, calledTools: toolCount > 0)))
        }
        return chunks
    }

    /// The usage chunk, when the client asked for one.
    package func finish() -> [JSONValue] {
        guard includeUsage, let usage else { return [] }
        return [HubChunk.usage(id: id, created: created, model: .string(model), usage: GeminiResponseToOpenAI.usage(usage))]
    }

    private func chunk(delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        HubChunk.make(id: id, created: created, model: .string(model), delta: delta, finishReason: finishReason)
    }
}
