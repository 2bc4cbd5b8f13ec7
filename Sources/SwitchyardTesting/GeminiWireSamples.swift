import SwitchyardWire

/// Real-shaped Gemini API (`generativelanguage.googleapis.com/v1beta`) answers for upstream doubles.
///
/// Gemini names no function call on `generateContent` (the gateway numbers them `call_<n>`), sends each call whole,
/// and ends a stream by closing it after the chunk that carries `finishReason`; `usageMetadata` rides on every
/// streamed chunk, the last one holding the totals.
package enum GeminiWireSamples {
    /// A `generateContent` response answering with `text`, optionally followed by a function call whose `args` is
    /// a JSON object's text.
    package static func generateContent(model: String, text: String = "Hello!", functionCall: (name: String, args: String)? = nil) -> String {
        var parts = [#"{"text":\#(quoted(text))}"#]
        if let functionCall { parts.append(functionCallPart(functionCall)) }
        return """
            {"candidates":[{"content":{"parts":[\(parts.joined(separator: ","))],"role":"model"},"finishReason":"STOP",\
            "avgLogprobs":-0.0876,"index":0}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":7,\
            "totalTokenCount":18,"promptTokensDetails":[{"modality":"TEXT","tokenCount":11}]},"modelVersion":"\(model)",\
            "responseId":"mAitaLmkHPPlz7IPvtfUqQ4"}
            """
    }

    /// The events of a `streamGenerateContent?alt=sse` answer, each the whole event text (`data: {...}`): one chunk
    /// per piece of text, then optionally one function call, the last chunk carrying `finishReason` and the totals
    /// (11 prompt tokens, 9 candidate tokens).
    package static func streamEvents(model: String, pieces: [String], functionCall: (name: String, args: String)? = nil) -> [String] {
        var chunks: [[String]] = pieces.map { [#"{"text":\#(quoted($0))}"#] }
        if let functionCall { chunks.append([functionCallPart(functionCall)]) }
        return chunks.enumerated().map { index, parts in
            let isLast = index == chunks.count - 1
            let usage =
                isLast
                ? #"{"promptTokenCount":11,"candidatesTokenCount":9,"totalTokenCount":20,"promptTokensDetails":[{"modality":"TEXT","tokenCount":11}]}"#
                : #"{"promptTokenCount":11,"candidatesTokenCount":\#(index + 1),"totalTokenCount":\#(12 + index)}"#
            let finish = isLast ? #","finishReason":"STOP""# : ""
            return """
                data: {"candidates":[{"content":{"parts":[\(parts.joined(separator: ","))],"role":"model"}\(finish),"index":0}],\
                "usageMetadata":\(usage),"modelVersion":"\(model)","responseId":"mAitaLmkHPPlz7IPvtfUqQ4"}
                """
        }
    }

    /// A Google API error body (`{"error": {"code", "message", "status"}}`), sent with the HTTP status `code`, or
    /// as a streamed event when the stream fails part-way.
    package static func error(code: Int, status: String, message: String) -> String {
        #"{"error":{"code":\#(code),"message":\#(quoted(message)),"status":"\#(status)"}}"#
    }

    /// A `batchEmbedContents` answer with `count` vectors.
    package static func batchEmbedContents(count: Int) -> String {
        let vectors = (0..<count).map { #"{"values":[0.013168523,-0.008711934,-0.046782676,0.000\#($0 + 1)]}"# }
        return #"{"embeddings":[\#(vectors.joined(separator: ","))]}"#
    }

    /// A `models.list` page: `generating` models support `generateContent`, `embedding` ones only `embedContent`.
    package static func models(generating: [String], embedding: [String] = []) -> String {
        let chat = generating.map { name in
            """
            {"name":"models/\(name)","version":"001","displayName":"\(name)","description":"A Gemini model.",\
            "inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens",\
            "createCachedContent","batchGenerateContent"],"temperature":1,"topP":0.95,"topK":64,"maxTemperature":2,"thinking":true}
            """
        }
        let embed = embedding.map { name in
            """
            {"name":"models/\(name)","version":"004","displayName":"\(name)","description":"Obtain a distributed representation of a text.",\
            "inputTokenLimit":2048,"outputTokenLimit":1,"supportedGenerationMethods":["embedContent"]}
            """
        }
        return #"{"models":[\#((chat + embed).joined(separator: ","))]}"#
    }

    private static func functionCallPart(_ call: (name: String, args: String)) -> String {
        #"{"functionCall":{"name":\#(quoted(call.name)),"args":\#(call.args)}}"#
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: JSONString.quoted(text), as: UTF8.self)
    }
}
