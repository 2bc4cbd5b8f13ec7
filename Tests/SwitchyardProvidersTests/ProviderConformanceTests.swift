import Foundation
import HTTPTypes
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import SwitchyardWire
import Testing

/// The one suite every provider type passes, through the `Provider` protocol only, against a loopback upstream that
/// speaks that provider's own wire format: chat, streams, tools, errors, usage, embeddings (or their refusal) and
/// the model list (or its refusal). What differs per type is its ``ConformanceProfile``; what is checked is not.
@Suite("Provider conformance")
struct ProviderConformanceTests {
    @Test("chat answers in the hub dialect with the text, the finish reason and the usage", arguments: ProviderKind.allCases)
    func chat(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.chatReply }
        try await profile.withProvider(upstream) { provider in
            let reply = try await provider.chat(ConformanceRequests.chat(), model: profile.chatModel, context: ConformanceRequests.context())
            #expect(reply.dialect == .openAI)
            let answer = try ChatAnswer.read(reply)
            #expect(answer.isWellFormed)
            #expect(answer.text == Conversation.text)
            #expect(answer.finishReason == "stop")
            #expect(answer.toolCalls.isEmpty)
            #expect(answer.usage == profile.chatUsage)
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.chat, bodyModel: profile.bodyModel)
        profile.expectStreamFlag(sent, streaming: false)
    }

    @Test("a request that also carries the client's Anthropic body is answered in the dialect the reply names", arguments: ProviderKind.allCases)
    func chatWithNativeBody(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.chatReply }
        var dialect = WireDialect.openAI
        try await profile.withProvider(upstream) { provider in
            let reply = try await provider.chat(
                ConformanceRequests.nativeAnthropic(stream: false), model: profile.chatModel, context: ConformanceRequests.context())
            dialect = reply.dialect
            let answer = try ChatAnswer.read(reply)
            #expect(answer.isWellFormed)
            #expect(answer.text == Conversation.text)
            #expect(answer.finishReason == "stop")
            #expect(answer.usage == profile.chatUsage)
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.chat, bodyModel: profile.bodyModel)
        // An upstream that speaks the client's dialect gets the client's own body (its max_tokens, not the default).
        #expect(sent?.text.contains(#""max_tokens":256"#) == (dialect == .anthropic))
    }

    @Test("a stream carries the text, one finish reason and the usage asked for, then [DONE]", arguments: ProviderKind.allCases)
    func stream(kind: ProviderKind) async throws {
        #expect(kind.capabilities.streaming)
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.streamReply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            let transcript = try await StreamTranscript.read(stream)
            #expect(transcript.malformedChunks == 0)
            #expect(transcript.text == Conversation.text)
            #expect(transcript.finishReasons == ["stop"])
            #expect(transcript.usage == profile.streamUsage)
            #expect(transcript.usageIsLastChunk, "the usage chunk comes last, just before [DONE]")
            #expect(transcript.endedWithDone)
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.stream, bodyModel: profile.bodyModel)
        profile.expectStreamFlag(sent, streaming: true)
    }

    @Test("a stream for a client that spoke Anthropic ends in the dialect of its events", arguments: ProviderKind.allCases)
    func streamWithNativeBody(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.streamReply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.nativeAnthropic(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            let transcript = try await StreamTranscript.read(stream)
            #expect(transcript.malformedChunks == 0)
            #expect(transcript.text == Conversation.text)
            #expect(transcript.finishReasons == ["stop"])
            #expect(transcript.usage == profile.streamUsage)
            #expect(transcript.endedCleanly)
        }
        profile.expectRequest(upstream.requests.only, at: profile.stream, bodyModel: profile.bodyModel)
        profile.expectStreamFlag(upstream.requests.only, streaming: true)
    }

    @Test("a tool call comes back with its exact id, name and arguments", arguments: ProviderKind.allCases)
    func toolCall(kind: ProviderKind) async throws {
        #expect(kind.capabilities.tools)
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.toolChatReply }
        try await profile.withProvider(upstream) { provider in
            let reply = try await provider.chat(ConformanceRequests.chat(tools: true), model: profile.chatModel, context: ConformanceRequests.context())
            let answer = try ChatAnswer.read(reply)
            #expect(answer.isWellFormed)
            #expect(answer.finishReason == "tool_calls")
            let call = try #require(answer.toolCalls.only)
            #expect(call.type == "function")
            #expect(call.id == profile.toolCallID)
            #expect(call.name == Conversation.toolName)
            #expect(call.argumentsJSON == Conversation.argumentsJSON, "arguments: \(call.arguments)")
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.chat, bodyModel: profile.bodyModel)
        #expect(sent?.text.contains(Conversation.toolName) == true, "the tool definition reaches the upstream")
    }

    @Test("a streamed tool call arrives whole across its chunks", arguments: ProviderKind.allCases)
    func streamedToolCall(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.toolStreamReply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true, tools: true), model: profile.chatModel, context: ConformanceRequests.context())
            let transcript = try await StreamTranscript.read(stream)
            #expect(transcript.malformedChunks == 0)
            #expect(transcript.finishReasons == ["tool_calls"])
            let call = try #require(transcript.orderedToolCalls.only)
            #expect(call.type == "function")
            #expect(call.id == profile.toolCallID)
            #expect(call.name == Conversation.toolName)
            #expect(call.argumentsJSON == Conversation.argumentsJSON, "arguments: \(call.arguments)")
            #expect(transcript.endedWithDone)
        }
        profile.expectRequest(upstream.requests.only, at: profile.stream, bodyModel: profile.bodyModel)
    }

    @Test("an upstream error status becomes a GatewayError with that status and message", arguments: ProviderKind.allCases, [429, 400])
    func upstreamError(kind: ProviderKind, status: Int) async throws {
        let profile = ConformanceProfile.of(kind)
        let failure = status == 429 ? profile.rateLimited : profile.invalidRequest
        let upstream = UpstreamDouble { _ in failure.reply }
        try await profile.withProvider(upstream) { provider in
            let chatError = await gatewayError {
                _ = try await provider.chat(ConformanceRequests.chat(), model: profile.chatModel, context: ConformanceRequests.context())
            }
            // A stream refused before it starts is refused by `streamChat` itself, not by its first event.
            let streamError = await gatewayError {
                _ = try await provider.streamChat(ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            }
            for error in [chatError, streamError] {
                #expect(error?.status == status)
                #expect(error?.kind == GatewayError.kind(forStatus: status))
                #expect(error?.message.contains(failure.message) == true, "\(String(describing: error))")
                if status == 429, let seconds = profile.retryAfterSeconds { #expect(error?.retryAfterSeconds == seconds) }
            }
        }
        #expect(upstream.requests.count == 2)
        for request in upstream.requests { profile.expectAuthentication(request) }
    }

    @Test("an error event part-way through a stream is thrown as a GatewayError", arguments: ProviderKind.allCases)
    func midStreamError(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.midStreamError.reply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            var transcript = StreamTranscript()
            let error = await gatewayError { for try await event in stream { try transcript.consume(event) } }
            #expect(error?.message.contains(profile.midStreamError.message) == true, "\(String(describing: error))")
            #expect((400...599).contains(error?.status ?? 0))
            #expect(!transcript.events.contains(.done))
        }
    }

    @Test("a stream cut off part-way is thrown as a GatewayError, never ended as if complete", arguments: ProviderKind.allCases)
    func streamCut(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.streamCut }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            var transcript = StreamTranscript()
            let error = await gatewayError { for try await event in stream { try transcript.consume(event) } }
            #expect((400...599).contains(error?.status ?? 0))
            #expect(!transcript.events.contains(.done))
        }
    }

    @Test("embeddings are answered in OpenAI's shape, or refused as unsupported without an upstream request", arguments: ProviderKind.allCases)
    func embeddings(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        #expect((profile.embeddings != nil) == kind.capabilities.embeddings, "the profile follows the published capabilities")
        let upstream = UpstreamDouble { _ in profile.embeddings?.reply ?? .json(status: 500, OpenAIWireSamples.error("unexpected", type: "server_error", code: nil)) }
        try await profile.withProvider(upstream) { provider in
            guard let expected = profile.embeddings else {
                let error = await gatewayError {
                    _ = try await provider.embed(ConformanceRequests.embedding(), model: "any-embedding-model", context: ConformanceRequests.context())
                }
                expectUnsupported(error)
                return
            }
            let reply = try await provider.embed(ConformanceRequests.embedding(), model: expected.model, context: ConformanceRequests.context())
            #expect(reply.dialect == .openAI)
            let list = try JSONValue(decoding: reply.body)
            #expect(list["object"]?.string == "list")
            let data = list["data"]?.array ?? []
            #expect(data.count == Conversation.embeddingInputs.count)
            for (index, item) in data.enumerated() {
                #expect(item["object"]?.string == "embedding")
                #expect(item["index"]?.int == index)
                let vector = item["embedding"]?.array ?? []
                #expect(!vector.isEmpty && vector.allSatisfy(\.isNumber))
            }
            #expect(list["usage"]?["prompt_tokens"]?.int != nil)
        }
        guard let expected = profile.embeddings else {
            #expect(upstream.requests.isEmpty)
            return
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: expected.endpoint, bodyModel: nil)
        #expect(Conversation.embeddingInputs.allSatisfy { sent?.text.contains($0) == true }, "every input reaches the upstream")
    }

    @Test("the model list is read from the upstream, or refused as unsupported without an upstream request", arguments: ProviderKind.allCases)
    func modelList(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.models?.reply ?? .json(status: 500, OpenAIWireSamples.error("unexpected", type: "server_error", code: nil)) }
        try await profile.withProvider(upstream) { provider in
            guard let expected = profile.models else {
                let error = await gatewayError { _ = try await provider.listModels(context: ConformanceRequests.context()) }
                expectUnsupported(error)
                return
            }
            let models = try await provider.listModels(context: ConformanceRequests.context())
            #expect(models.sorted() == expected.ids.sorted())
        }
        guard let expected = profile.models else {
            #expect(upstream.requests.isEmpty)
            return
        }
        profile.expectRequest(upstream.requests.only, method: "GET", at: expected.endpoint, bodyModel: nil)
    }
}

// MARK: - What each provider type answers, and where

/// One provider type's side of the conformance suite: its settings, the replies its upstream double scripts in
/// that provider's wire format, and where its requests must land.
fileprivate struct ConformanceProfile: Sendable {
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

/// OpenAI answers that call a tool (the shared OpenAI samples answer with text only).
fileprivate enum OpenAIToolSamples {
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
fileprivate enum Conversation {
    static let text = "Hello there!"
    static let pieces = ["Hello", " there!"]
    static let toolName = "get_weather"
    static let arguments = #"{"city":"Paris","unit":"celsius"}"#
    static let argumentFragments = [#"{"city":"#, #""Paris","unit""#, #":"celsius"}"#]
    static var argumentsJSON: JSONValue? { try? JSONValue(decoding: arguments) }
    static let embeddingInputs = ["The food was delicious.", "The waiter was friendly."]
}

fileprivate enum ConformanceRequests {
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

fileprivate struct ToolCall: Sendable {
    var id: String?
    var type: String?
    var name: String?
    var arguments: String

    /// The arguments as a JSON value: key order and spacing are each translator's own.
    var argumentsJSON: JSONValue? { try? JSONValue(decoding: arguments) }
}

/// A complete answer, read from the hub dialect, or from Anthropic's when the upstream answered in it natively.
fileprivate struct ChatAnswer {
    var isWellFormed = false
    var text = ""
    var finishReason: String?
    var toolCalls: [ToolCall] = []
    var usage: ConformanceProfile.Usage?

    static func read(_ reply: UpstreamReply) throws -> ChatAnswer {
        let json = try JSONValue(decoding: reply.body)
        return reply.dialect == .anthropic ? anthropic(json) : hub(json)
    }

    private static func hub(_ completion: JSONValue) -> ChatAnswer {
        var answer = ChatAnswer()
        let choice = completion["choices"]?.array?.first
        let message = choice?["message"]
        answer.isWellFormed = completion["object"]?.string == "chat.completion" && message?["role"]?.string == "assistant"
        answer.text = message?["content"]?.string ?? ""
        answer.finishReason = choice?["finish_reason"]?.string
        answer.toolCalls = (message?["tool_calls"]?.array ?? []).map { call in
            ToolCall(
                id: call["id"]?.string, type: call["type"]?.string, name: call["function"]?["name"]?.string,
                arguments: call["function"]?["arguments"]?.string ?? "")
        }
        answer.usage = usage(prompt: completion["usage"]?["prompt_tokens"], completion: completion["usage"]?["completion_tokens"])
        return answer
    }

    private static func anthropic(_ message: JSONValue) -> ChatAnswer {
        var answer = ChatAnswer()
        answer.isWellFormed = message["type"]?.string == "message" && message["role"]?.string == "assistant"
        for block in message["content"]?.array ?? [] {
            switch block["type"]?.string {
            case "text"?:
                answer.text += block["text"]?.string ?? ""
            case "tool_use"?:
                answer.toolCalls.append(
                    ToolCall(id: block["id"]?.string, type: "function", name: block["name"]?.string, arguments: block["input"]?.jsonText ?? ""))
            default:
                break
            }
        }
        answer.finishReason = message["stop_reason"]?.string.map(hubFinishReason)
        answer.usage = usage(prompt: message["usage"]?["input_tokens"], completion: message["usage"]?["output_tokens"])
        return answer
    }

    static func usage(prompt: JSONValue?, completion: JSONValue?) -> ConformanceProfile.Usage? {
        guard let prompt = prompt?.int, let completion = completion?.int else { return nil }
        return ConformanceProfile.Usage(prompt: prompt, completion: completion)
    }

    static func hubFinishReason(_ stopReason: String) -> String {
        switch stopReason {
        case "end_turn", "stop_sequence": "stop"
        case "tool_use": "tool_calls"
        case "max_tokens": "length"
        default: stopReason
        }
    }
}

/// Everything a stream said, event by event: hub chunks, or native Anthropic events.
fileprivate struct StreamTranscript {
    var events: [ChatStreamEvent] = []
    var text = ""
    var finishReasons: [String] = []
    var toolCalls: [Int: ToolCall] = [:]
    var usage: ConformanceProfile.Usage?
    /// Whether the last chunk carried the usage (OpenAI sends it last, just before `[DONE]`).
    var usageIsLastChunk = false
    /// Chunks with choices that are not `chat.completion.chunk`s.
    var malformedChunks = 0
    var sawMessageStop = false
    private var promptTokens: Int?

    static func read(_ stream: ChatEventStream) async throws -> StreamTranscript {
        var transcript = StreamTranscript()
        for try await event in stream { try transcript.consume(event) }
        return transcript
    }

    var orderedToolCalls: [ToolCall] { toolCalls.sorted { $0.key < $1.key }.map(\.value) }

    /// `[DONE]` once, as the last event.
    var endedWithDone: Bool { events.last == .done && events.filter { $0 == .done }.count == 1 }

    /// The end of the stream in its own dialect: `[DONE]` for the hub, `message_stop` for native Anthropic events.
    var endedCleanly: Bool { endedWithDone || (sawMessageStop && !events.contains(.done)) }

    mutating func consume(_ event: ChatStreamEvent) throws {
        events.append(event)
        switch event {
        case .chunk(let data):
            try consumeChunk(JSONValue(decoding: data))
        case .native(let event):
            try consumeAnthropicEvent(JSONValue(decoding: event.data))
        case .done:
            break
        }
    }

    private mutating func consumeChunk(_ chunk: JSONValue) {
        let choices = chunk["choices"]?.array ?? []
        if !choices.isEmpty && chunk["object"]?.string != "chat.completion.chunk" { malformedChunks += 1 }
        for choice in choices {
            let delta = choice["delta"]
            if let content = delta?["content"]?.string { text += content }
            if let reason = choice["finish_reason"]?.string { finishReasons.append(reason) }
            for call in delta?["tool_calls"]?.array ?? [] {
                let index = call["index"]?.int ?? 0
                var merged = toolCalls[index] ?? ToolCall(id: nil, type: nil, name: nil, arguments: "")
                merged.id = merged.id ?? call["id"]?.string
                merged.type = merged.type ?? call["type"]?.string
                merged.name = merged.name ?? call["function"]?["name"]?.string
                merged.arguments += call["function"]?["arguments"]?.string ?? ""
                toolCalls[index] = merged
            }
        }
        if let counted = ChatAnswer.usage(prompt: chunk["usage"]?["prompt_tokens"], completion: chunk["usage"]?["completion_tokens"]) {
            usage = counted
            usageIsLastChunk = true
        } else {
            usageIsLastChunk = false
        }
    }

    private mutating func consumeAnthropicEvent(_ event: JSONValue) {
        let index = event["index"]?.int ?? 0
        switch event["type"]?.string {
        case "message_start"?:
            promptTokens = event["message"]?["usage"]?["input_tokens"]?.int
        case "content_block_start"? where event["content_block"]?["type"]?.string == "tool_use":
            let block = event["content_block"]
            toolCalls[index] = ToolCall(id: block?["id"]?.string, type: "function", name: block?["name"]?.string, arguments: "")
        case "content_block_delta"?:
            let delta = event["delta"]
            if let piece = delta?["text"]?.string { text += piece }
            if let fragment = delta?["partial_json"]?.string { toolCalls[index]?.arguments += fragment }
        case "message_delta"?:
            if let reason = event["delta"]?["stop_reason"]?.string { finishReasons.append(ChatAnswer.hubFinishReason(reason)) }
            if let prompt = event["usage"]?["input_tokens"]?.int ?? promptTokens, let completion = event["usage"]?["output_tokens"]?.int {
                usage = ConformanceProfile.Usage(prompt: prompt, completion: completion)
            }
        case "message_stop"?:
            sawMessageStop = true
        default:
            break
        }
    }
}

// MARK: - Helpers

/// The GatewayError `operation` throws; records an issue when it throws nothing or something else.
fileprivate func gatewayError(sourceLocation: SourceLocation = #_sourceLocation, _ operation: () async throws -> Void) async -> GatewayError? {
    do {
        try await operation()
        Issue.record("expected a GatewayError; nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as GatewayError {
        return error
    } catch {
        Issue.record("expected a GatewayError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// An explicit refusal: the gateway's `unsupported` error, whatever its status and code are.
fileprivate func expectUnsupported(_ error: GatewayError?, sourceLocation: SourceLocation = #_sourceLocation) {
    let unsupported = GatewayError.unsupported("")
    #expect(error != nil, "expected the unsupported error", sourceLocation: sourceLocation)
    #expect(error?.status == unsupported.status, sourceLocation: sourceLocation)
    #expect(error?.kind == unsupported.kind, sourceLocation: sourceLocation)
    #expect(error?.code == unsupported.code, sourceLocation: sourceLocation)
}

extension Array {
    /// The single element, or nil when there is not exactly one.
    fileprivate var only: Element? { count == 1 ? first : nil }
}

extension JSONValue {
    fileprivate var isNumber: Bool {
        switch self {
        case .integer, .number: true
        default: false
        }
    }
}
