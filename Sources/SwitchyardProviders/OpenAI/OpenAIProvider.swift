import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardWire

/// Any server that speaks the OpenAI API. The hub dialect is OpenAI's, so requests pass through with only the
/// top-level `model` rewritten: every other field, known to the gateway or not, reaches the upstream untouched.
struct OpenAIProvider: Provider {
    let endpoint: UpstreamEndpoint
    var kind: ProviderKind { endpoint.settings.kind }
    let paths: Paths

    /// Where the OpenAI endpoints live: under the base URL (OpenAI and compatible servers), or per deployment with
    /// an API version (Azure OpenAI, whose deployment is the target's model).
    enum Paths {
        case standard
        case azureDeployments(apiVersion: String)

        func path(_ endpoint: String, model: String) -> String {
            switch self {
            case .standard:
                return "/\(endpoint)"
            case .azureDeployments(let apiVersion):
                let deployment = model.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? model
                return "/deployments/\(deployment)/\(endpoint)?api-version=\(apiVersion)"
            }
        }
    }

    init(settings: ProviderSettings, clients: UpstreamClients) {
        var authentication = HTTPHeaders()
        if let apiKey = settings.apiKey { authentication.add(name: "authorization", value: "Bearer \(apiKey)") }
        self.init(endpoint: UpstreamEndpoint(settings: settings, clients: clients, authentication: authentication), paths: .standard)
    }

    init(endpoint: UpstreamEndpoint, paths: Paths) {
        self.endpoint = endpoint
        self.paths = paths
    }

    func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let answer = try await endpoint.post(
            paths.path("chat/completions", model: model), body: try request.hubBody().rewritingTopLevelModel(to: model), streaming: false,
            context: context)
        return UpstreamReply(body: try await endpoint.collect(answer, context: context))
    }

    func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream {
        let answer = try await endpoint.post(
            paths.path("chat/completions", model: model), body: try request.hubBody().rewritingTopLevelModel(to: model), streaming: true,
            context: context)
        let endpoint = endpoint
        return ChatEventStream { OpenAIEventSource(reader: ServerSentEventReader(answer, endpoint: endpoint)) }
    }

    /// OpenAI-compatible servers offer no token counting, so this is an estimate.
    func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int {
        TokenEstimate.tokens(in: try request.hubBody())
    }

    func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let answer = try await endpoint.post(
            paths.path("embeddings", model: model), body: request.body.rewritingTopLevelModel(to: model), streaming: false, context: context)
        return UpstreamReply(body: try await endpoint.collect(answer, context: context))
    }

    func moderate(_ body: ByteBuffer, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let answer = try await endpoint.post(
            paths.path("moderations", model: model), body: body.rewritingTopLevelModel(to: model), streaming: false, context: context)
        return UpstreamReply(body: try await endpoint.collect(answer, context: context))
    }

    /// `GET /models`; Azure lists no deployments on the data plane.
    func listModels(context: UpstreamContext) async throws -> [String] {
        guard case .standard = paths else {
            throw GatewayError.unsupported("Provider type \(kind.rawValue) has no model list to discover.")
        }
        let list = try await endpoint.getJSON("/models", context: context)
        return (list["data"]?.array ?? []).compactMap { $0["id"]?.string }
    }
}
