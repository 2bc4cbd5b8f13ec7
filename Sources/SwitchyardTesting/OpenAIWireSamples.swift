/// Real-shaped OpenAI answers for upstream doubles.
package enum OpenAIWireSamples {
    /// A `chat.completion` answering `model` with `content`.
    package static func chatCompletion(model: String, content: String = "Hello!") -> String {
        """
        {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"\(model)",\
        "choices":[{"index":0,"message":{"role":"assistant","content":"\(content)","refusal":null,"annotations":[]},\
        "logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,\
        "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,\
        "audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default",\
        "system_fingerprint":"fp_06737a9306"}
        """
    }

    /// The chunks of a streamed answer: role, one chunk per piece of text, finish, and optionally usage.
    package static func chatChunks(model: String, pieces: [String], includeUsage: Bool = false) -> [String] {
        let head = #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"\#(model)","system_fingerprint":"fp_44709d6fcb","#
        var chunks = [head + #""choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#]
        for piece in pieces {
            chunks.append(head + #""choices":[{"index":0,"delta":{"content":"\#(piece)"},"logprobs":null,"finish_reason":null}]}"#)
        }
        chunks.append(head + #""choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}"#)
        if includeUsage {
            chunks.append(head + #""choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}"#)
        }
        return chunks
    }

    /// An embeddings list for `model` with `count` vectors.
    package static func embeddings(model: String, count: Int = 1) -> String {
        let items = (0..<count).map { #"{"object":"embedding","index":\#($0),"embedding":[0.0023064255,-0.009327292,-0.0028842222]}"# }
        return #"{"object":"list","data":[\#(items.joined(separator: ","))],"model":"\#(model)","usage":{"prompt_tokens":8,"total_tokens":8}}"#
    }

    /// An OpenAI error body.
    package static func error(_ message: String, type: String, code: String?, param: String? = nil) -> String {
        let codeJSON = code.map { "\"\($0)\"" } ?? "null"
        let paramJSON = param.map { "\"\($0)\"" } ?? "null"
        return #"{"error":{"message":"\#(message)","type":"\#(type)","param":\#(paramJSON),"code":\#(codeJSON)}}"#
    }
}
