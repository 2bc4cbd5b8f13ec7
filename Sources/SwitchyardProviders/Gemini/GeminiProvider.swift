import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// Google's Gemini API (`{base_url}/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
/// `:batchEmbedContents`, `:countTokens`), reached from the hub dialect by translation both ways.
struct GeminiProvider: Provider {
    let endpoint: UpstreamEndpoint
    var kind: ProviderKind { endpoint.settings.kind }

    init(settings: ProviderSettings, clients: UpstreamClients) {
        var authentication = HTTPHeaders()
        if let apiKey = settings.apiKey { authentication.add(name: "x-goog-api-key", value: apiKey) }
        endpoint = UpstreamEndpoint(settings: settings, clients: clients, authentication: authentication)
    }

    func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let body = try OpenAIRequestToGemini().translate(try request.hubJSON()).encoded
        let answer = try await endpoint.post(Self.path(model, "generateContent"), body: body, streaming: false, context: context)
        let response = try await endpoint.collectJSON(answer, context: context)
        return UpstreamReply(body: GeminiResponseToOpenAI().translate(response, model: model).encoded)
    }

    func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream {
        let openAI = try request.hubJSON()
        let includeUsage = openAI["stream_options"]?["include_usage"]?.bool ?? false
        let body = try OpenAIRequestToGemini().translate(openAI).encoded
        let answer = try await endpoint.post(Self.path(model, "streamGenerateContent") + "?alt=sse", body: body, streaming: true, context: context)
        let endpoint = endpoint
        return ChatEventStream {
            TranslatedEventSource(
                reader: ServerSentEventReader(answer, endpoint: endpoint),
                translator: GeminiToOpenAIStreamTranslator(includeUsage: includeUsage, model: model), provider: endpoint.settings.name)
        }
    }

    /// Embeddings through `batchEmbedContents`, one request per input string.
    func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let body = try OpenAIEmbeddingsToGemini().translate(try request.json(), model: model).encoded
        let answer = try await endpoint.post(Self.path(model, "batchEmbedContents"), body: body, streaming: false, context: context)
        let response = try await endpoint.collectJSON(answer, context: context)
        let promptTokens = TokenEstimate.tokens(in: request.body)
        return UpstreamReply(body: GeminiEmbeddingsToOpenAI().translate(response, model: model, promptTokens: promptTokens).encoded)
    }

    /// Gemini's own count (`:countTokens`).
    func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int {
        guard case .object(var generate) = try OpenAIRequestToGemini().translate(try request.hubJSON()) else { return 0 }
        generate["model"] = .string("models/\(model)")
        let body = JSONValue.object(["generateContentRequest": .object(generate)]).encoded
        let answer = try await endpoint.post(Self.path(model, "countTokens"), body: body, streaming: false, context: context)
        guard let tokens = try await endpoint.collectJSON(answer, context: context)["totalTokens"]?.int else {
            throw GatewayError.upstreamUnavailable("Provider '\(endpoint.settings.name)' answered countTokens without totalTokens.")
        }
        return tokens
    }

    static func path(_ model: String, _ method: String) -> String {
        let name = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        return "/models/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", ":"])) ?? name):\(method)"
    }

    /// `GET /models`: the models that generate content, without their `models/` prefix.
    func listModels(context: UpstreamContext) async throws -> [String] {
        let list = try await endpoint.getJSON("/models", context: context)
        return (list["models"]?.array ?? []).filter { model in
            model["supportedGenerationMethods"]?.array?.contains("generateContent") ?? true
        }.compactMap { $0["name"]?.string.map { $0.hasPrefix("models/") ? String($0.dropFirst("models/".count)) : $0 } }
    }
}
