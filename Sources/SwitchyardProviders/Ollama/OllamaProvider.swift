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
        let openAI = try request.json()
        var body: [String: JSONValue] = ["model": .string(model), "input": openAI["input"] ?? ""]
        if let dimensions = openAI["dimensions"], !dimensions.isNull { body["dimensions"] = dimensions }
        let answer = try await endpoint.post("/api/embed", body: JSONValue.object(body).encoded, streaming: false, context: context)
        let response = try await endpoint.collectJSON(answer, context: context)
        let data: [JSONValue] = (response["embeddings"]?.array ?? []).enumerated().map { index, vector in
            ["object": "embedding", "index": .integer(Int64(index)), "embedding": vector]
        }
        let tokens = Int64(response["prompt_eval_count"]?.int ?? 0)
        return UpstreamReply(
            body: JSONValue.object([
                "object": "list", "data": .array(data), "model": response["model"] ?? .string(model),
                "usage": ["prompt_tokens": .integer(tokens), "total_tokens": .integer(tokens)],
            ]).encoded)
    }

    /// Ollama offers no token counting, so this is an estimate.
    func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int {
        TokenEstimate.tokens(in: try request.hubBody())
    }


}

extension OllamaToOpenAI: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] { try chunks(payload) }
    func isEnd(_ payload: JSONValue) -> Bool { payload["done"]?.bool == true }
    mutating func finalChunks() -> [JSONValue] { [] }
    var requiresExplicitEnd: Bool { true }
}
