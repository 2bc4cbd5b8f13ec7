import Foundation
import HTTPTypes
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import SwitchyardWire
import Testing

/// OpenAI answers that call a tool (the shared OpenAI samples answer with text only).
enum OpenAIToolSamples {
    static func completion(model: String, id: String) -> String {
        """
        {"id":"chatcmpl-BqVrIuUe2vP3Yc8hDAxwX1KjOQnRa","object":"chat.completion","created":1751980000,"model":"\(model)",\
        "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"\(id)","type":"function",\
        "function":{"name":"\(Conversation.toolName)","arguments":\(quoted(Conversation.arguments))}}],"refusal":null,"annotations":[]},\
        "logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,"completion_tokens":18,"total_tokens":100},\
        "service_tier":"default","system_fingerprint":"fp_34a54ae93c"}
        """
    }

    /// The chunks of a streamed tool call: id and name first, then the arguments in fragments, then the finish.
    static func chunks(model: String, id: String) -> [String] {
        let head = #"{"id":"chatcmpl-BqVrJ4kTtC1nZ","object":"chat.completion.chunk","created":1751980001,"model":"\#(model)","service_tier":"default","system_fingerprint":"fp_34a54ae93c","#
        var chunks = [
            head
                + #""choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"\#(id)","type":"function","function":{"name":"\#(Conversation.toolName)","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]}"#
        ]
        for fragment in Conversation.argumentFragments {
            chunks.append(
                head + #""choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":\#(quoted(fragment))}}]},"logprobs":null,"finish_reason":null}]}"#)
        }
        chunks.append(head + #""choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}"#)
        return chunks
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: JSONString.quoted(text), as: UTF8.self)
    }
}

// MARK: - What the client asks

/// The conversation every profile answers.
enum Conversation {
    static let text = "Hello there!"
    static let pieces = ["Hello", " there!"]
    static let toolName = "get_weather"
    static let arguments = #"{"city":"Paris","unit":"celsius"}"#
    static let argumentFragments = [#"{"city":"#, #""Paris","unit""#, #":"celsius"}"#]
    static var argumentsJSON: JSONValue? { try? JSONValue(decoding: arguments) }
    static let embeddingInputs = ["The food was delicious.", "The waiter was friendly."]
}

enum ConformanceRequests {
    static let publicModel = "conformance"

    static let toolDefinitions = """
        [{"type":"function","function":{"name":"\(Conversation.toolName)","description":"The current weather in a city.",\
        "parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},\
        "required":["city"]}}}]
        """

    /// A Chat Completions request; a stream asks for usage.
    static func chat(stream: Bool = false, tools: Bool = false) -> ChatRequest {
        ChatRequest(body: ByteBuffer(string: hubBody(stream: stream, tools: tools)), model: publicModel, stream: stream)
    }

    /// A request from a client that spoke Anthropic Messages: its own body, and the hub translation beside it.
    static func nativeAnthropic(stream: Bool) -> ChatRequest {
        let streamMember = stream ? #","stream":true"# : ""
        let native = #"{"model":"\#(publicModel)","max_tokens":256,"messages":[{"role":"user","content":"Say hello."}]\#(streamMember)}"#
        return ChatRequest(
            body: ByteBuffer(string: hubBody(stream: stream, tools: false)), model: publicModel, stream: stream,
            native: NativeRequest(dialect: .anthropic, body: ByteBuffer(string: native)))
    }

    static func embedding() -> EmbeddingRequest {
        let inputs = Conversation.embeddingInputs.map { "\"\($0)\"" }.joined(separator: ",")
        return EmbeddingRequest(body: ByteBuffer(string: #"{"model":"conformance-embed","input":[\#(inputs)]}"#), model: "conformance-embed")
    }

    static func context() -> UpstreamContext {
        UpstreamContext(requestID: "conformance", logger: Logger(label: "provider-conformance"), stopwatch: UpstreamStopwatch())
    }

    private static func hubBody(stream: Bool, tools: Bool) -> String {
        let question = tools ? "What is the weather in Paris?" : "Say hello."
        var members = [#""model":"\#(publicModel)""#, #""messages":[{"role":"user","content":"\#(question)"}]"#]
        if tools { members.append(#""tools":\#(toolDefinitions)"#) }
        if stream { members.append(#""stream":true,"stream_options":{"include_usage":true}"#) }
        return "{" + members.joined(separator: ",") + "}"
    }
}

// MARK: - Reading what the provider answers
