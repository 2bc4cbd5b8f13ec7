import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// Ollama's native API (`{base_url}/api/chat` with NDJSON streaming, `/api/embed`). For its OpenAI-compatible
/// `/v1`, use type `openai`.
struct OllamaProvider: Provider {
    let endpoint: UpstreamEndpoint
    var kind: ProviderKind { endpoint.settings.kind }

    init(settings: ProviderSettings, clients: UpstreamClients) {
        var authentication = HTTPHeaders()
        if let apiKey = settings.apiKey { authentication.add(name: "authorization", value: "Bearer \(apiKey)") }
        endpoint = UpstreamEndpoint(settings: settings, clients: clients, authentication: authentication)
    }

    func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let body = try OpenAIRequestToOllama().translate(try request.hubJSON(), model: model, stream: false).encoded
        let answer = try await endpoint.post("/api/chat", body: body, streaming: false, context: context)
        var translator = OllamaToOpenAI()
        return UpstreamReply(body: translator.completion(try await endpoint.collectJSON(answer, context: context)).encoded)
    }

    func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream {
        let openAI = try request.hubJSON()
        let includeUsage = openAI["stream_options"]?["include_usage"]?.bool ?? false
        let body = try OpenAIRequestToOllama().translate(openAI, model: model, stream: true).encoded
        let answer = try await endpoint.post("/api/chat", body: body, streaming: true, context: context)
        let endpoint = endpoint
        return ChatEventStream {
            TranslatedEventSource(
                reader: NDJSONReader(answer, endpoint: endpoint), translator: OllamaToOpenAI(includeUsage: includeUsage), provider: endpoint.settings.name)
        }
    }

    func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let body = OpenAIEmbeddingsToOllama().translate(try request.json(), model: model).encoded
        let answer = try await endpoint.post("/api/embed", body: body, streaming: false, context: context)
        let response = try await endpoint.collectJSON(answer, context: context)
        return UpstreamReply(body: OllamaEmbeddingsToOpenAI().translate(response, model: model).encoded)
    }

    /// Ollama offers no token counting, so this is an estimate.
    func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int {
        TokenEstimate.tokens(in: try request.hubBody())
    }

    /// `GET /api/tags`: the models pulled on this server.
    func listModels(context: UpstreamContext) async throws -> [String] {
        let list = try await endpoint.getJSON("/api/tags", context: context)
        return (list["models"]?.array ?? []).compactMap { $0["name"]?.string }
    }
}
