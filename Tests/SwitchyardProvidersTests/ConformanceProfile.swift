import Foundation
import HTTPTypes
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import SwitchyardWire
import Testing

/// One provider type's side of the conformance suite: its settings, the replies its upstream double scripts in
/// that provider's wire format, and where its requests must land.
struct ConformanceProfile: Sendable {
    /// A request's path (percent-encoding removed) and, where it is checked, its query.
    struct Endpoint: Sendable {
        var path: String
        var query: String?
    }

    struct Usage: Sendable, Equatable, CustomStringConvertible {
        var prompt: Int
        var completion: Int
        var description: String { "\(prompt) prompt + \(completion) completion tokens" }
    }

    /// An upstream failure and the upstream's message, which the gateway's error must carry.
    struct Failure: Sendable {
        var reply: UpstreamDouble.Reply
        var message: String
    }

    struct Embeddings: Sendable {
        var model: String
        var endpoint: Endpoint
        var reply: UpstreamDouble.Reply
    }

    struct ModelListing: Sendable {
        var endpoint: Endpoint
        var reply: UpstreamDouble.Reply
        var ids: [String]
    }

    var kind: ProviderKind
    /// The base URL's path under the double's root, as the provider's official base URL has it.
    var basePath: String
    var apiKey: String
    var apiVersion: String?
    var region: String?
    /// Headers every upstream request carries, and headers none may carry.
    var authentication: [(name: String, value: String)]
    var absentHeaders: [String]
    var chatModel: String
    /// The model the upstream finds in the request body; nil where the model is in the path.
    var bodyModel: String?
    var chat: Endpoint
    var stream: Endpoint
    /// Whether the upstream is told to stream by a `stream` member of the body (rather than by the path).
    var streamFlagInBody: Bool
    var chatReply: UpstreamDouble.Reply
    var chatUsage: Usage
    var streamReply: UpstreamDouble.Reply
    var streamUsage: Usage
    var toolCallID: String
    var toolChatReply: UpstreamDouble.Reply
    var toolStreamReply: UpstreamDouble.Reply
    var rateLimited: Failure
    var invalidRequest: Failure
    /// The `Retry-After` the rate-limited reply sends, where the provider sends one.
    var retryAfterSeconds: Int?
    var midStreamError: Failure
    var streamCut: UpstreamDouble.Reply
    /// nil where the provider type has no embeddings.
    var embeddings: Embeddings?
    /// nil where the provider type has no model list.
    var models: ModelListing?

    func settings(baseURL: String) -> ProviderSettings {
        ProviderSettings(
            name: "conformance-\(kind.rawValue)", kind: kind, baseURL: baseURL, apiKey: apiKey,
            timeouts: UpstreamTimeouts(connect: .seconds(5), firstByte: .seconds(20), streamIdle: .seconds(20)), apiVersion: apiVersion,
            region: region)
    }

    /// Runs `body` with this profile's provider, built by the registry, pointed at `upstream`.
    func withProvider(_ upstream: UpstreamDouble, _ body: (any Provider) async throws -> Void) async throws {
        try await upstream.run { base in
            let root = base.hasSuffix("/v1") ? String(base.dropLast("/v1".count)) : base
            let clients = UpstreamClients()
            let provider = ProviderRegistry.make(settings(baseURL: root + basePath), clients: clients)
            #expect(provider.kind == kind)
            do {
                try await body(provider)
            } catch {
                try? await clients.shutdown()
                throw error
            }
            try await clients.shutdown()
        }
    }

    func expectRequest(
        _ request: UpstreamDouble.RecordedRequest?, method: String = "POST", at endpoint: Endpoint, bodyModel: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let request else {
            Issue.record("expected exactly one upstream request", sourceLocation: sourceLocation)
            return
        }
        #expect(request.method == method, sourceLocation: sourceLocation)
        #expect((request.path.removingPercentEncoding ?? request.path) == endpoint.path, sourceLocation: sourceLocation)
        if let query = endpoint.query { #expect(request.query == query, sourceLocation: sourceLocation) }
        if let bodyModel { #expect(request.model == bodyModel, sourceLocation: sourceLocation) }
        expectAuthentication(request, sourceLocation: sourceLocation)
    }

    func expectAuthentication(_ request: UpstreamDouble.RecordedRequest, sourceLocation: SourceLocation = #_sourceLocation) {
        for header in authentication {
            #expect(request.headers[HTTPField.Name(header.name)!] == header.value, "header \(header.name)", sourceLocation: sourceLocation)
        }
        for name in absentHeaders {
            #expect(request.headers[HTTPField.Name(name)!] == nil, "header \(name) must not be sent", sourceLocation: sourceLocation)
        }
    }

    /// Where the body says whether to stream, it says so only for streams.
    func expectStreamFlag(_ request: UpstreamDouble.RecordedRequest?, streaming: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        guard streamFlagInBody, let request else { return }
        let body = try? JSONValue(decoding: request.body)
        #expect((body?["stream"]?.bool ?? false) == streaming, sourceLocation: sourceLocation)
    }
}

extension ConformanceProfile {
    static func of(_ kind: ProviderKind) -> ConformanceProfile {
        switch kind {
        case .openai: openAI()
        case .azureOpenAI: azureOpenAI()
        case .anthropic: anthropic()
        case .gemini: gemini()
        case .ollama: ollama()
        case .bedrock: bedrock()
        }
    }

    private static func openAI() -> ConformanceProfile {
        let model = "gpt-4o-mini"
        let callID = "call_DdmO9pD3xa9XTPNJ32zg2hcA"
        let chunks = OpenAIWireSamples.chatChunks(model: model, pieces: Conversation.pieces, includeUsage: true)
        return ConformanceProfile(
            kind: .openai, basePath: "/v1", apiKey: "sk-conformance", apiVersion: nil, region: nil,
            authentication: [("authorization", "Bearer sk-conformance")], absentHeaders: ["api-key"],
            chatModel: model, bodyModel: model,
            chat: Endpoint(path: "/v1/chat/completions", query: ""), stream: Endpoint(path: "/v1/chat/completions", query: ""),
            streamFlagInBody: true,
            chatReply: .json(OpenAIWireSamples.chatCompletion(model: model, content: Conversation.text)),
            chatUsage: Usage(prompt: 19, completion: 10),
            streamReply: openAIStream(chunks),
            streamUsage: Usage(prompt: 9, completion: 12),
            toolCallID: callID,
            toolChatReply: .json(OpenAIToolSamples.completion(model: model, id: callID)),
            toolStreamReply: openAIStream(OpenAIToolSamples.chunks(model: model, id: callID)),
            rateLimited: Failure(
                reply: .json(
                    status: 429,
                    OpenAIWireSamples.error(
                        "Rate limit reached for gpt-4o-mini in organization org-conformance on requests per min (RPM): Limit 3, Used 3, Requested 1.",
                        type: "requests", code: "rate_limit_exceeded"),
                    headers: [("retry-after", "7")]),
                message: "Rate limit reached for gpt-4o-mini"),
            invalidRequest: Failure(
                reply: .json(
                    status: 400,
                    OpenAIWireSamples.error(
                        "Invalid value for 'temperature': must be between 0 and 2.", type: "invalid_request_error", code: "invalid_value",
                        param: "temperature")),
                message: "Invalid value for 'temperature'"),
            retryAfterSeconds: 7,
            midStreamError: Failure(
                reply: .events([
                    .data(chunks[0]), .data(chunks[1]),
                    .data(OpenAIWireSamples.error("The server had an error while processing your request. Sorry about that!", type: "server_error", code: nil)),
                ]),
                message: "The server had an error while processing your request."),
            streamCut: .events([.data(chunks[0]), .data(chunks[1])], thenDie: true),
            embeddings: Embeddings(
                model: "text-embedding-3-small", endpoint: Endpoint(path: "/v1/embeddings", query: ""),
                reply: .json(OpenAIWireSamples.embeddings(model: "text-embedding-3-small", count: 2))),
            models: ModelListing(
                endpoint: Endpoint(path: "/v1/models", query: nil),
                reply: .json(
                    #"{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"},{"id":"text-embedding-3-small","object":"model","created":1705948997,"owned_by":"system"}]}"#
                ),
                ids: ["gpt-4o-mini", "text-embedding-3-small"]))
    }

    private static func azureOpenAI() -> ConformanceProfile {
        var profile = openAI()
        let apiVersion = "2024-10-21"
        let query = "api-version=\(apiVersion)"
        let deployment = "my-gpt-4o-mini"
        // Azure sends its prompt filter results first, in a chunk without choices.
        let promptFilter = """
            {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":\
            {"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,\
            "severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}
            """
        let chunks = OpenAIWireSamples.chatChunks(model: "gpt-4o-mini-2024-07-18", pieces: Conversation.pieces, includeUsage: true)
        profile.kind = .azureOpenAI
        profile.basePath = "/openai"
        profile.apiKey = "azure-conformance"
        profile.apiVersion = apiVersion
        profile.authentication = [("api-key", "azure-conformance")]
        profile.absentHeaders = ["authorization"]
        profile.chatModel = deployment
        profile.bodyModel = nil
        profile.chat = Endpoint(path: "/openai/deployments/\(deployment)/chat/completions", query: query)
        profile.stream = profile.chat
        profile.streamReply = openAIStream([promptFilter] + chunks)
        profile.toolStreamReply = openAIStream([promptFilter] + OpenAIToolSamples.chunks(model: "gpt-4o-mini-2024-07-18", id: profile.toolCallID))
        profile.embeddings = Embeddings(
            model: "my-embedding", endpoint: Endpoint(path: "/openai/deployments/my-embedding/embeddings", query: query),
            reply: .json(OpenAIWireSamples.embeddings(model: "text-embedding-3-small", count: 2)))
        profile.models = nil
        return profile
    }

    private static func anthropic() -> ConformanceProfile {
        let model = "claude-sonnet-4-5-20250929"
        let callID = "toolu_01A09q90qw90lq917835lq9"
        let events = AnthropicWireSamples.streamEvents(model: model, pieces: Conversation.pieces)
        return ConformanceProfile(
            kind: .anthropic, basePath: "/v1", apiKey: "sk-ant-conformance", apiVersion: nil, region: nil,
            authentication: [("x-api-key", "sk-ant-conformance"), ("anthropic-version", "2023-06-01")], absentHeaders: ["authorization"],
            chatModel: model, bodyModel: model,
            chat: Endpoint(path: "/v1/messages", query: ""), stream: Endpoint(path: "/v1/messages", query: ""),
            streamFlagInBody: true,
            chatReply: .json(AnthropicWireSamples.message(model: model, text: Conversation.text)),
            chatUsage: Usage(prompt: 12, completion: 6),
            streamReply: sse(events),
            streamUsage: Usage(prompt: 25, completion: 15),
            toolCallID: callID,
            toolChatReply: .json(AnthropicWireSamples.message(model: model, text: "Let me check.", toolUse: (callID, Conversation.toolName, Conversation.arguments))),
            toolStreamReply: sse(
                AnthropicWireSamples.streamEvents(
                    model: model, pieces: ["Let me check."], toolUse: (callID, Conversation.toolName, [""] + Conversation.argumentFragments))),
            rateLimited: Failure(
                reply: .json(
                    status: 429,
                    AnthropicWireSamples.error(type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit"),
                    headers: [("retry-after", "7")]),
                message: "Number of request tokens has exceeded your per-minute rate limit"),
            invalidRequest: Failure(
                reply: .json(status: 400, AnthropicWireSamples.error(type: "invalid_request_error", message: "max_tokens: Field required")),
                message: "max_tokens: Field required"),
            retryAfterSeconds: 7,
            midStreamError: Failure(
                reply: sse(Array(events.prefix(4)) + ["event: error\ndata: " + AnthropicWireSamples.error(type: "overloaded_error", message: "Overloaded")]),
                message: "Overloaded"),
            streamCut: sse(Array(events.prefix(4)), thenDie: true),
            embeddings: nil,
            models: ModelListing(
                endpoint: Endpoint(path: "/v1/models", query: "limit=1000"),
                reply: .json(
                    """
                    {"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},\
                    {"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}],\
                    "has_more":false,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-3-5-haiku-20241022"}
                    """),
                ids: ["claude-sonnet-4-5-20250929", "claude-3-5-haiku-20241022"]))
    }

    private static func gemini() -> ConformanceProfile {
        let model = "gemini-2.5-flash"
        let events = GeminiWireSamples.streamEvents(model: model, pieces: Conversation.pieces)
        let functionCall = (name: Conversation.toolName, args: Conversation.arguments)
        return ConformanceProfile(
            kind: .gemini, basePath: "/v1beta", apiKey: "gemini-conformance", apiVersion: nil, region: nil,
            authentication: [("x-goog-api-key", "gemini-conformance")], absentHeaders: ["authorization"],
            chatModel: model, bodyModel: nil,
            chat: Endpoint(path: "/v1beta/models/\(model):generateContent", query: ""),
            stream: Endpoint(path: "/v1beta/models/\(model):streamGenerateContent", query: "alt=sse"),
            streamFlagInBody: false,
            chatReply: .json(GeminiWireSamples.generateContent(model: model, text: Conversation.text)),
            chatUsage: Usage(prompt: 11, completion: 7),
            streamReply: sse(events),
            streamUsage: Usage(prompt: 11, completion: 9),
            // Gemini names no call on generateContent: the gateway numbers it.
            toolCallID: "call_0",
            toolChatReply: .json(GeminiWireSamples.generateContent(model: model, text: "Let me check.", functionCall: functionCall)),
            toolStreamReply: sse(GeminiWireSamples.streamEvents(model: model, pieces: ["Let me check."], functionCall: functionCall)),
            rateLimited: Failure(
                reply: .json(
                    status: 429, GeminiWireSamples.error(code: 429, status: "RESOURCE_EXHAUSTED", message: "Resource has been exhausted (e.g. check quota).")),
                message: "Resource has been exhausted"),
            invalidRequest: Failure(
                reply: .json(status: 400, GeminiWireSamples.error(code: 400, status: "INVALID_ARGUMENT", message: "Request contains an invalid argument.")),
                message: "Request contains an invalid argument."),
            retryAfterSeconds: nil,
            midStreamError: Failure(
                reply: sse([
                    events[0],
                    "data: " + GeminiWireSamples.error(code: 503, status: "UNAVAILABLE", message: "The model is overloaded. Please try again later."),
                ]),
                message: "The model is overloaded."),
            streamCut: sse([events[0]], thenDie: true),
            embeddings: Embeddings(
                model: "text-embedding-004", endpoint: Endpoint(path: "/v1beta/models/text-embedding-004:batchEmbedContents", query: ""),
                reply: .json(GeminiWireSamples.batchEmbedContents(count: 2))),
            models: ModelListing(
                endpoint: Endpoint(path: "/v1beta/models", query: nil),
                reply: .json(GeminiWireSamples.models(generating: ["gemini-2.5-flash", "gemini-2.5-pro"], embedding: ["text-embedding-004"])),
                ids: ["gemini-2.5-flash", "gemini-2.5-pro"]))
    }

    private static func ollama() -> ConformanceProfile {
        let model = "llama3.2:3b"
        let toolCall = (name: Conversation.toolName, arguments: Conversation.arguments)
        let lines = OllamaWireSamples.chatLines(model: model, pieces: Conversation.pieces)
        return ConformanceProfile(
            kind: .ollama, basePath: "", apiKey: "ollama-conformance", apiVersion: nil, region: nil,
            authentication: [("authorization", "Bearer ollama-conformance")], absentHeaders: [],
            chatModel: model, bodyModel: model,
            chat: Endpoint(path: "/api/chat", query: ""), stream: Endpoint(path: "/api/chat", query: ""),
            streamFlagInBody: true,
            chatReply: .json(OllamaWireSamples.chat(model: model, text: Conversation.text)),
            chatUsage: Usage(prompt: 26, completion: 9),
            streamReply: ndjson(lines),
            streamUsage: Usage(prompt: 14, completion: 8),
            // Ollama gives tool calls no ids: the gateway numbers them.
            toolCallID: "call_0",
            toolChatReply: .json(OllamaWireSamples.chat(model: model, text: "Let me check.", toolCall: toolCall)),
            toolStreamReply: ndjson(OllamaWireSamples.chatLines(model: model, pieces: ["Let me check."], toolCall: toolCall)),
            rateLimited: Failure(reply: .json(status: 429, OllamaWireSamples.error("too many requests, please retry later")), message: "too many requests"),
            invalidRequest: Failure(reply: .json(status: 400, OllamaWireSamples.error("model is required")), message: "model is required"),
            retryAfterSeconds: nil,
            midStreamError: Failure(
                reply: ndjson([lines[0], OllamaWireSamples.error("an error was encountered while running the model: unexpected EOF")]),
                message: "an error was encountered while running the model"),
            streamCut: .events([UpstreamDouble.ScriptedEvent(lines[0])], thenDie: true),
            embeddings: Embeddings(
                model: "all-minilm", endpoint: Endpoint(path: "/api/embed", query: ""), reply: .json(OllamaWireSamples.embed(model: "all-minilm", count: 2))),
            models: ModelListing(
                endpoint: Endpoint(path: "/api/tags", query: nil), reply: .json(OllamaWireSamples.tags(["llama3.2:3b", "all-minilm:latest"])),
                ids: ["llama3.2:3b", "all-minilm:latest"]))
    }

    private static func bedrock() -> ConformanceProfile {
        let model = "anthropic.claude-3-5-haiku-20241022-v1:0"
        let callID = "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"
        let frames = BedrockWireSamples.streamFrames(pieces: Conversation.pieces)
        let halfFrame = frames[1].getSlice(at: frames[1].readerIndex, length: frames[1].readableBytes / 2) ?? ByteBuffer()
        return ConformanceProfile(
            kind: .bedrock, basePath: "", apiKey: "bedrock-api-key", apiVersion: nil, region: "us-west-2",
            // A Bedrock API key is a bearer token: nothing is signed.
            authentication: [("authorization", "Bearer bedrock-api-key")], absentHeaders: ["x-amz-date"],
            chatModel: model, bodyModel: nil,
            chat: Endpoint(path: "/model/\(model)/converse", query: ""), stream: Endpoint(path: "/model/\(model)/converse-stream", query: ""),
            streamFlagInBody: false,
            chatReply: .json(BedrockWireSamples.converse(text: Conversation.text)),
            chatUsage: Usage(prompt: 25, completion: 11),
            streamReply: .bytes(contentType: BedrockWireSamples.streamContentType, frames),
            streamUsage: Usage(prompt: 21, completion: 9),
            toolCallID: callID,
            toolChatReply: .json(BedrockWireSamples.converse(text: "Let me check.", toolUse: (callID, Conversation.toolName, Conversation.arguments))),
            toolStreamReply: .bytes(
                contentType: BedrockWireSamples.streamContentType,
                BedrockWireSamples.streamFrames(pieces: ["Let me check."], toolUse: (callID, Conversation.toolName, Conversation.argumentFragments))),
            rateLimited: Failure(
                reply: .json(
                    status: 429, BedrockWireSamples.error("Too many requests, please wait before trying again."),
                    headers: BedrockWireSamples.errorHeaders("ThrottlingException")),
                message: "Too many requests, please wait before trying again."),
            invalidRequest: Failure(
                reply: .json(
                    status: 400, BedrockWireSamples.error("The provided model identifier is invalid."),
                    headers: BedrockWireSamples.errorHeaders("ValidationException")),
                message: "The provided model identifier is invalid."),
            retryAfterSeconds: nil,
            midStreamError: Failure(
                reply: .bytes(
                    contentType: BedrockWireSamples.streamContentType,
                    [frames[0], frames[1], BedrockWireSamples.exception("modelStreamErrorException", message: "The model stopped while streaming its answer.")]),
                message: "The model stopped while streaming its answer."),
            streamCut: .bytes(contentType: BedrockWireSamples.streamContentType, [frames[0], halfFrame]),
            embeddings: nil,
            models: nil)
    }

    /// OpenAI chunks as `data:` events, then `[DONE]`.
    private static func openAIStream(_ chunks: [String]) -> UpstreamDouble.Reply {
        .events(chunks.map { UpstreamDouble.ScriptedEvent.data($0) } + [UpstreamDouble.ScriptedEvent.done])
    }

    /// Whole SSE events (`event:` and `data:` lines), as the Anthropic and Gemini samples give them.
    private static func sse(_ events: [String], thenDie: Bool = false) -> UpstreamDouble.Reply {
        .events(events.map { UpstreamDouble.ScriptedEvent($0) }, thenDie: thenDie)
    }

    /// Newline-delimited JSON, one write a line, as Ollama streams.
    private static func ndjson(_ lines: [String]) -> UpstreamDouble.Reply {
        .bytes(contentType: OllamaWireSamples.streamContentType, lines.map { ByteBuffer(string: $0 + "\n") })
    }
}
