import SwitchyardWire

/// Gathers a streamed answer's hub chunks into the chat completion they add up to, so an answer streamed once can
/// be served again whole or streamed. A stream it cannot represent faithfully (several choices, native events)
/// gives nothing.
struct StreamCapture {
    private var id: String?
    private var created: Int?
    private var model: JSONValue?
    private var content = ""
    private var sawContent = false
    private var reasoning = ""
    private var refusal = ""
    /// Tool calls by their index: id, type, name, and arguments as they arrive in fragments.
    private var calls: [Int: (id: JSONValue, type: JSONValue, name: String, arguments: String)] = [:]
    private var finishReason: String?
    private var usage: JSONValue?
    private(set) var representable = true

    mutating func add(_ chunk: JSONValue) {
        guard representable else { return }
        if id == nil { id = chunk["id"]?.string }
        if created == nil { created = chunk["created"]?.int }
        if model == nil, let name = chunk["model"], !name.isNull { model = name }
        if let usage = chunk["usage"], !usage.isNull { self.usage = usage }
        for choice in chunk["choices"]?.array ?? [] {
            guard (choice["index"]?.int ?? 0) == 0 else {
                representable = false
                return
            }
            let delta = choice["delta"]
            if let text = delta?["content"]?.string {
                content += text
                sawContent = true
            }
            if let text = delta?["reasoning_content"]?.string { reasoning += text }
            if let text = delta?["refusal"]?.string { refusal += text }
            // Log probabilities are not kept in an entry: an answer that carries them is not cached.
            if let logprobs = choice["logprobs"], !logprobs.isNull {
                representable = false
                return
            }
            for call in delta?["tool_calls"]?.array ?? [] {
                let index = call["index"]?.int ?? 0
                var entry = calls[index] ?? (id: .null, type: "function", name: "", arguments: "")
                if let id = call["id"], !id.isNull { entry.id = id }
                if let type = call["type"], !type.isNull { entry.type = type }
                // The name arrives whole in the call's first fragment; some upstreams repeat it in later ones.
                if let name = call["function"]?["name"]?.string, entry.name.isEmpty { entry.name = name }
                if let arguments = call["function"]?["arguments"]?.string { entry.arguments += arguments }
                calls[index] = entry
            }
            if let reason = choice["finish_reason"]?.string { finishReason = reason }
        }
    }

    /// The native events of another dialect cannot be kept as a hub answer.
    mutating func sawNativeEvent() { representable = false }

    /// The whole answer, once the stream finished with a finish reason and reported its usage; nil otherwise (an
    /// entry without usage would serve later requests an answer without it).
    var completion: JSONValue? { completion(requiringUsage: true) }

    /// The whole answer once the stream finished with a finish reason (and reported its usage, when
    /// `requiringUsage`); nil otherwise.
    func completion(requiringUsage: Bool) -> JSONValue? {
        guard representable, let finishReason, usage != nil || !requiringUsage else { return nil }
        var message: [String: JSONValue] = ["role": "assistant", "content": sawContent || calls.isEmpty ? .string(content) : .null]
        if !reasoning.isEmpty { message["reasoning_content"] = .string(reasoning) }
        if !refusal.isEmpty { message["refusal"] = .string(refusal) }
        if !calls.isEmpty {
            message["tool_calls"] = .array(
                calls.keys.sorted().compactMap { index in
                    calls[index].map { call in
                        ["id": call.id, "type": call.type, "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
                    }
                })
        }
        var completion: [String: JSONValue] = [
            "id": .string(id ?? "chatcmpl-cache"), "object": "chat.completion", "created": .integer(Int64(created ?? 0)),
            "model": model ?? .null,
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(finishReason), "logprobs": nil]],
        ]
        if let usage { completion["usage"] = usage }
        return .object(completion)
    }
}
