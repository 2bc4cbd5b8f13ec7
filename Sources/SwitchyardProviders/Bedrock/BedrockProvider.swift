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
        return UpstreamReply(body: BedrockToOpenAI(model: model).completion(response, created: BedrockToOpenAI.now()).encoded)
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

}

extension BedrockToOpenAI: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] { chunks(payload) }
    func isEnd(_ payload: JSONValue) -> Bool { payload["metadata"] != nil }
    mutating func finalChunks() -> [JSONValue] { [] }
    var requiresExplicitEnd: Bool { false }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }
}

/// Reads an AWS event stream, handing on each event as `{"<event type>": payload}`; an exception message
/// becomes the gateway's error.
struct AWSEventStreamReader: UpstreamEventReader {
    private var body: UpstreamBodyReader
    private var decoder = AWSEventStreamDecoder()

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        body = UpstreamBodyReader(answer, endpoint: endpoint)
    }

    mutating func nextPayload() async throws -> ByteBuffer? {
        while true {
            let message: AWSEventStreamMessage?
            do {
                message = try decoder.next()
            } catch {
                throw GatewayError.upstreamUnavailable("Provider '\(body.endpoint.settings.name)' sent a malformed event stream: \(error).")
            }
            if let message {
                if message.headers[":message-type"] == "exception" || message.headers[":message-type"] == "error" {
                    throw Self.error(message)
                }
                let type = message.headers[":event-type"] ?? "unknown"
                var wrapped = ByteBuffer(string: "{")
                wrapped.writeBytes(JSONString.quoted(type))
                wrapped.writeStaticString(":")
                wrapped.writeImmutableBuffer(message.payload.readableBytes == 0 ? ByteBuffer(string: "{}") : message.payload)
                wrapped.writeStaticString("}")
                return wrapped
            }
            guard let bytes = try await body.read() else {
                if decoder.hasPartialMessage { throw body.cutShort() }
                return nil
            }
            decoder.feed(bytes)
        }
    }

    mutating func drain() async throws { try await body.drain() }

    static func error(_ message: AWSEventStreamMessage) -> GatewayError {
        let type = message.headers[":exception-type"] ?? message.headers[":error-code"] ?? "internalServerException"
        let text = (try? JSONValue(decoding: message.payload))?["message"]?.string ?? message.headers[":error-message"] ?? type
        let status: Int
        switch type {
        case "throttlingException": status = 429
        case "validationException": status = 400
        case "serviceUnavailableException": status = 503
        case "modelTimeoutException": status = 504
        default: status = 500
        }
        var error = GatewayError(status: status, kind: GatewayError.kind(forStatus: status), code: type, message: text)
        error.upstreamType = type
        return error
    }
}
