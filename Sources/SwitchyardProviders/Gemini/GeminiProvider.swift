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
        let openAI = try request.json()
        let inputs: [JSONValue]
        switch openAI["input"] {
        case .string(let text)?: inputs = [.string(text)]
        case .array(let items)? where items.allSatisfy({ $0.string != nil }): inputs = items
        default: throw GatewayError.badRequest("Provider type gemini embeds text only: 'input' must be a string or strings.", param: "input")
        }
        var template: [String: JSONValue] = ["model": .string("models/\(model)")]
        if let dimensions = openAI["dimensions"], !dimensions.isNull { template["outputDimensionality"] = dimensions }
        let requests: [JSONValue] = inputs.map { input in
            var entry = template
            entry["content"] = ["parts": [["text": input]]]
            return .object(entry)
        }
        let body = JSONValue.object(["requests": .array(requests)]).encoded
        let answer = try await endpoint.post(Self.path(model, "batchEmbedContents"), body: body, streaming: false, context: context)
        let response = try await endpoint.collectJSON(answer, context: context)
        let data: [JSONValue] = (response["embeddings"]?.array ?? []).enumerated().map { index, embedding in
            ["object": "embedding", "index": .integer(Int64(index)), "embedding": embedding["values"] ?? []]
        }
        let tokens = TokenEstimate.tokens(in: request.body)
        return UpstreamReply(
            body: JSONValue.object([
                "object": "list", "data": .array(data), "model": .string(model),
                "usage": ["prompt_tokens": .integer(Int64(tokens)), "total_tokens": .integer(Int64(tokens))],
            ]).encoded)
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


}
