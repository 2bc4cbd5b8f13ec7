import SwitchyardWire

/// Real-shaped answers of Ollama's native API (`/api/chat`, `/api/embed`, `/api/tags`) for upstream doubles.
///
/// Ollama streams newline-delimited JSON (`application/x-ndjson`), one object a line, the last with `"done": true`
/// and the token counts; it gives tool calls no ids, and their arguments as objects.
package enum OllamaWireSamples {
    /// The content type of a streamed `/api/chat` answer.
    package static let streamContentType = "application/x-ndjson"

    /// A complete `/api/chat` answer with `text`, optionally calling a tool whose `arguments` is a JSON object's text
    /// (26 prompt tokens, 9 generated).
    package static func chat(model: String, text: String = "Hello!", toolCall: (name: String, arguments: String)? = nil) -> String {
        """
        {"model":"\(model)","created_at":"2025-06-12T14:13:43.416799Z","message":\(message(text: text, toolCall: toolCall)),\
        "done_reason":"stop","done":true,"total_duration":5191566416,"load_duration":2154458,"prompt_eval_count":26,\
        "prompt_eval_duration":383809000,"eval_count":9,"eval_duration":4799921000}
        """
    }

    /// The lines of a streamed `/api/chat` answer, without their line feeds: one per piece of text, optionally one
    /// carrying a tool call, then the final `done` line with the counts (14 prompt tokens, 8 generated).
    package static func chatLines(model: String, pieces: [String], toolCall: (name: String, arguments: String)? = nil) -> [String] {
        var lines = pieces.map { piece in
            #"{"model":"\#(model)","created_at":"2025-06-12T14:13:43.416799Z","message":\#(message(text: piece, toolCall: nil)),"done":false}"#
        }
        if let toolCall {
            lines.append(#"{"model":"\#(model)","created_at":"2025-06-12T14:13:44.016271Z","message":\#(message(text: "", toolCall: toolCall)),"done":false}"#)
        }
        lines.append(
            """
            {"model":"\(model)","created_at":"2025-06-12T14:13:44.297461Z","message":{"role":"assistant","content":""},\
            "done_reason":"stop","done":true,"total_duration":1032416125,"load_duration":19840250,"prompt_eval_count":14,\
            "prompt_eval_duration":250316000,"eval_count":8,"eval_duration":760861000}
            """)
        return lines
    }

    /// Ollama's error body (`{"error": "text"}`), sent with an HTTP status, or as a streamed line when generation
    /// fails part-way.
    package static func error(_ message: String) -> String {
        #"{"error":\#(quoted(message))}"#
    }

    /// An `/api/embed` answer with `count` vectors (8 prompt tokens).
    package static func embed(model: String, count: Int) -> String {
        let vectors = (0..<count).map { "[0.010071029,-0.0017594862,0.05007221,0.0\($0 + 1)]" }
        return """
            {"model":"\(model)","embeddings":[\(vectors.joined(separator: ","))],"total_duration":14143917,\
            "load_duration":1019500,"prompt_eval_count":8}
            """
    }

    /// An `/api/tags` answer listing the local models `names`.
    package static func tags(_ names: [String]) -> String {
        let models = names.map { name in
            """
            {"name":"\(name)","model":"\(name)","modified_at":"2025-05-10T08:06:48.639712648-07:00","size":2019393189,\
            "digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72","details":{"parent_model":"",\
            "format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B","quantization_level":"Q4_K_M"}}
            """
        }
        return #"{"models":[\#(models.joined(separator: ","))]}"#
    }

    private static func message(text: String, toolCall: (name: String, arguments: String)?) -> String {
        guard let toolCall else { return #"{"role":"assistant","content":\#(quoted(text))}"# }
        return #"{"role":"assistant","content":\#(quoted(text)),"tool_calls":[{"function":{"name":\#(quoted(toolCall.name)),"arguments":\#(toolCall.arguments)}}]}"#
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: JSONString.quoted(text), as: UTF8.self)
    }
}
