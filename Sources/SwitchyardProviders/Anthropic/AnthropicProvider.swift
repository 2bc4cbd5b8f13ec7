import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// Anthropic's Messages API (`POST {base_url}/messages`), reached from the hub dialect by translation both ways.
struct AnthropicProvider: Provider {
    /// The API version this adapter speaks.
    static let apiVersion = "2023-06-01"
    let endpoint: UpstreamEndpoint
    var kind: ProviderKind { endpoint.settings.kind }

    init(settings: ProviderSettings, clients: UpstreamClients) {
        var authentication: HTTPHeaders = ["anthropic-version": Self.apiVersion]
        if let apiKey = settings.apiKey { authentication.add(name: "x-api-key", value: apiKey) }
        endpoint = UpstreamEndpoint(settings: settings, clients: clients, authentication: authentication)
    }

    func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        if let native = Self.nativeBody(request, model: model, stream: false) {
            let answer = try await endpoint.post("/messages", body: native, streaming: false, context: context)
            return UpstreamReply(body: try await endpoint.collect(answer, context: context), dialect: .anthropic)
        }
        let body = try translatedRequest(try request.hubJSON(), model: model, stream: false)
        let answer = try await endpoint.post("/messages", body: body, streaming: false, context: context)
        let response = try await endpoint.collectJSON(answer, context: context)
        return UpstreamReply(body: AnthropicResponseToOpenAI().translate(response).encoded)
    }

    func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream {
        let endpoint = endpoint
        if let native = Self.nativeBody(request, model: model, stream: true) {
            let answer = try await endpoint.post("/messages", body: native, streaming: true, context: context)
            return ChatEventStream { AnthropicNativeEventSource(reader: ServerSentEventReader(answer, endpoint: endpoint)) }
        }
        let openAI = try request.hubJSON()
        let includeUsage = openAI["stream_options"]?["include_usage"]?.bool ?? false
        let body = try translatedRequest(openAI, model: model, stream: true)
        let answer = try await endpoint.post("/messages", body: body, streaming: true, context: context)
        return ChatEventStream {
            TranslatedEventSource(
                reader: ServerSentEventReader(answer, endpoint: endpoint), translator: AnthropicToOpenAIStreamTranslator(includeUsage: includeUsage),
                provider: endpoint.settings.name)
        }
    }

    func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        throw GatewayError.unsupported("Provider '\(endpoint.settings.name)' (type anthropic) does not offer embeddings.")
    }

    /// Anthropic's own count (`POST /messages/count_tokens`).
    func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int {
        let messages: JSONValue
        if let native = request.native, native.dialect == .anthropic {
            messages = try decodeRequestBody(native.body)
        } else {
            messages = try OpenAIRequestToAnthropic().translate(try request.hubJSON(), model: model)
        }
        var fields = (messages.object ?? [:]).filter { Self.countTokensFields.contains($0.key) }
        fields["model"] = .string(model)
        let answer = try await endpoint.post("/messages/count_tokens", body: JSONValue.object(fields).encoded, streaming: false, context: context)
        let counted = try? JSONValue(decoding: try await endpoint.collect(answer, context: context))
        guard let tokens = counted?["input_tokens"]?.int else {
            throw GatewayError.upstreamUnavailable("Provider '\(endpoint.settings.name)' answered count_tokens without input_tokens.")
        }
        return tokens
    }

    /// The fields `count_tokens` accepts.
    private static let countTokensFields: Set<String> = ["model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers"]

    /// The client's own Messages body with the upstream model, when the client spoke Anthropic: sent as it came.
    private static func nativeBody(_ request: ChatRequest, model: String, stream: Bool) -> ByteBuffer? {
        guard let native = request.native, native.dialect == .anthropic else { return nil }
        return native.body.rewritingTopLevelModel(to: model)
    }

    private func translatedRequest(_ openAI: JSONValue, model: String, stream: Bool) throws -> ByteBuffer {
        guard case .object(var fields) = try OpenAIRequestToAnthropic().translate(openAI, model: model) else { return ByteBuffer() }
        fields["stream"] = stream ? true : nil
        return JSONValue.object(fields).encoded
    }

    /// `GET /models`, up to the 1000 the API gives in one page.
    func listModels(context: UpstreamContext) async throws -> [String] {
        let list = try await endpoint.getJSON("/models?limit=1000", context: context)
        return (list["data"]?.array ?? []).compactMap { $0["id"]?.string }
    }
}
