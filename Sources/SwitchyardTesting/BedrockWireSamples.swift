package import NIOCore
import SwitchyardWire

/// Real-shaped AWS Bedrock Converse answers (`/model/{modelId}/converse` and `/converse-stream`) for upstream doubles.
///
/// ConverseStream answers in the binary AWS event stream framing (`application/vnd.amazon.eventstream`): one frame
/// per event, its type in the `:event-type` header, its JSON payload padded with a `p` member as Bedrock pads them.
/// A failure part-way is an `exception` frame; errors before the stream are `{"message": ...}` bodies whose type is
/// in the `x-amzn-ErrorType` header. Converse offers no embeddings and no model list.
package enum BedrockWireSamples {
    /// The content type of a ConverseStream answer.
    package static let streamContentType = "application/vnd.amazon.eventstream"

    /// A Converse response with `text`, optionally followed by a tool use whose `input` is a JSON object's text
    /// (25 input tokens, 11 output).
    package static func converse(text: String = "Hello!", toolUse: (id: String, name: String, input: String)? = nil) -> String {
        var content = [#"{"text":\#(quoted(text))}"#]
        if let toolUse {
            content.append(#"{"toolUse":{"toolUseId":\#(quoted(toolUse.id)),"name":\#(quoted(toolUse.name)),"input":\#(toolUse.input)}}"#)
        }
        return """
            {"output":{"message":{"role":"assistant","content":[\(content.joined(separator: ","))]}},\
            "stopReason":"\(toolUse == nil ? "end_turn" : "tool_use")","usage":{"inputTokens":25,"outputTokens":11,\
            "totalTokens":36},"metrics":{"latencyMs":1275}}
            """
    }

    /// The frames of a ConverseStream answer, one write each: message start, one delta per piece of text, optionally a
    /// tool use whose input arrives in `fragments`, message stop, and the metadata with usage (21 input tokens, 9
    /// output).
    package static func streamFrames(pieces: [String], toolUse: (id: String, name: String, fragments: [String])? = nil) -> [ByteBuffer] {
        var frames = [event("messageStart", #"{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGH","role":"assistant"}"#)]
        for piece in pieces {
            frames.append(event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":\#(quoted(piece))},"p":"abcdefghijklm"}"#))
        }
        frames.append(event("contentBlockStop", #"{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"}"#))
        if let toolUse {
            frames.append(
                event(
                    "contentBlockStart",
                    #"{"contentBlockIndex":1,"p":"abcdefghijklmnopqrs","start":{"toolUse":{"toolUseId":\#(quoted(toolUse.id)),"name":\#(quoted(toolUse.name))}}}"#))
            for fragment in toolUse.fragments {
                frames.append(event("contentBlockDelta", #"{"contentBlockIndex":1,"delta":{"toolUse":{"input":\#(quoted(fragment))}},"p":"abcdefgh"}"#))
            }
            frames.append(event("contentBlockStop", #"{"contentBlockIndex":1,"p":"abcdefghijklmnopqrstuvwxyzABC"}"#))
        }
        frames.append(event("messageStop", #"{"p":"abcdefghijklmnopqrstu","stopReason":"\#(toolUse == nil ? "end_turn" : "tool_use")"}"#))
        frames.append(
            event(
                "metadata",
                #"{"metrics":{"latencyMs":412},"p":"abcdefghijklmnopqrstuvwxyzABCDEF","usage":{"inputTokens":21,"outputTokens":9,"totalTokens":30}}"#))
        return frames
    }

    /// One event frame of type `type` carrying the JSON `payload`.
    package static func event(_ type: String, _ payload: String) -> ByteBuffer {
        AWSEventStreamMessage(
            headers: [":event-type": type, ":message-type": "event", ":content-type": "application/json"], payload: ByteBuffer(string: payload)
        ).encoded()
    }

    /// An exception frame, as ConverseStream sends when the model fails part-way: `type` is e.g.
    /// `throttlingException`, `modelStreamErrorException`, `validationException`, `serviceUnavailableException`.
    package static func exception(_ type: String, message: String) -> ByteBuffer {
        AWSEventStreamMessage(
            headers: [":exception-type": type, ":message-type": "exception", ":content-type": "application/json"],
            payload: ByteBuffer(string: #"{"message":\#(quoted(message))}"#)
        ).encoded()
    }

    /// The body of an error answered before any stream (`{"message": ...}`).
    package static func error(_ message: String) -> String {
        #"{"message":\#(quoted(message))}"#
    }

    /// The headers sent with an error body: `type` is e.g. `ThrottlingException`, `ValidationException`,
    /// `AccessDeniedException`, `ModelTimeoutException`.
    package static func errorHeaders(_ type: String) -> [(String, String)] {
        [
            ("x-amzn-ErrorType", "\(type):http://internal.amazon.com/coral/com.amazon.bedrock/"),
            ("x-amzn-RequestId", "6c1b4f2e-3a9e-4c1d-9b0e-2f5d8a7c4e11"),
        ]
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: JSONString.quoted(text), as: UTF8.self)
    }
}
