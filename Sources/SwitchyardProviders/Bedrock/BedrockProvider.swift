import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// AWS Bedrock's Converse API (`{base_url}/model/{model}/converse` and `/converse-stream`, the latter framed as an
/// AWS event stream), signed with Signature Version 4, or authorised by a Bedrock API key.
struct BedrockProvider: Provider {
    let endpoint: UpstreamEndpoint
    var kind: ProviderKind { endpoint.settings.kind }

    init(settings: ProviderSettings, clients: UpstreamClients) {
        var authentication = HTTPHeaders()
        var signer: AWSSignatureV4?
        if let apiKey = settings.apiKey {
            authentication.add(name: "authorization", value: "Bearer \(apiKey)")
        } else if let keys = settings.aws {
            signer = AWSSignatureV4(
                credentials: AWSCredentials(accessKeyID: keys.accessKeyID, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken),
                region: settings.region ?? "us-east-1", service: "bedrock")
        }
        endpoint = UpstreamEndpoint(settings: settings, clients: clients, authentication: authentication, signer: signer)
    }

    func chat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        let body = try OpenAIRequestToBedrock().translate(try request.hubJSON()).encoded
        let answer = try await endpoint.post(Self.path(model, "converse"), body: body, streaming: false, context: context)
        let response = try await endpoint.collectJSON(answer, context: context)
        return UpstreamReply(body: BedrockToOpenAI(model: model).completion(response, created: Int(Date().timeIntervalSince1970)).encoded)
    }

    func streamChat(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> ChatEventStream {
        let openAI = try request.hubJSON()
        let includeUsage = openAI["stream_options"]?["include_usage"]?.bool ?? false
        let body = try OpenAIRequestToBedrock().translate(openAI).encoded
        let answer = try await endpoint.post(Self.path(model, "converse-stream"), body: body, streaming: true, context: context)
        let endpoint = endpoint
        return ChatEventStream {
            TranslatedEventSource(
                reader: AWSEventStreamReader(answer, endpoint: endpoint), translator: BedrockToOpenAI(model: model, includeUsage: includeUsage),
                provider: endpoint.settings.name)
        }
    }

    func embed(_ request: EmbeddingRequest, model: String, context: UpstreamContext) async throws -> UpstreamReply {
        throw GatewayError.unsupported("Provider '\(endpoint.settings.name)' (type bedrock) serves chat only; embeddings are not available.")
    }

    /// Converse has no counting endpoint, so this is an estimate.
    func countTokens(_ request: ChatRequest, model: String, context: UpstreamContext) async throws -> Int {
        TokenEstimate.tokens(in: try request.hubBody())
    }

    static func path(_ model: String, _ operation: String) -> String {
        "/model/\(AWSSignatureV4.uriEncode(model))/\(operation)"
    }

    /// Bedrock's model catalogue is a control-plane API (another host and signing scope), not served here.
    func listModels(context: UpstreamContext) async throws -> [String] {
        throw GatewayError.unsupported("Provider type bedrock has no model list to discover.")
    }
}
