package import NIOCore
package import SwitchyardCore
import SwitchyardWire

/// Validates OpenAI-dialect request bodies just enough to route them, without decoding their content.
package enum InboundRequest {
    /// A `POST /v1/chat/completions` body.
    /// - Throws: 400 ``GatewayError`` naming the field at fault.
    package static func chat(_ body: ByteBuffer) throws(GatewayError) -> ChatRequest {
        let document = try object(body)
        let model = try modelName(in: document)
        guard let messages = document.member("messages") else {
            throw .badRequest("'messages' is required.", param: "messages")
        }
        guard messages.kind == .array else {
            throw .badRequest("'messages' must be an array, got \(messages.kind.article).", param: "messages")
        }
        guard !messages.isEmptyContainer else {
            throw .badRequest("'messages' must contain at least one message.", param: "messages")
        }
        var stream = false
        if let member = document.member("stream"), member.kind != .null {
            guard let value = document.bool(member) else {
                throw .badRequest("'stream' must be a boolean, got \(member.kind.article).", param: "stream")
            }
            stream = value
        }
        if let options = document.member("stream_options"), options.kind != .null, options.kind != .object {
            throw .badRequest("'stream_options' must be an object, got \(options.kind.article).", param: "stream_options")
        }
        return ChatRequest(body: body, model: model, stream: stream)
    }

    /// A `POST /v1/embeddings` body.
    package static func embedding(_ body: ByteBuffer) throws(GatewayError) -> EmbeddingRequest {
        let document = try object(body)
        let model = try modelName(in: document)
        guard let input = document.member("input") else { throw .badRequest("'input' is required.", param: "input") }
        switch input.kind {
        case .string, .array:
            if input.isEmptyContainer { throw .badRequest("'input' must not be empty.", param: "input") }
        default:
            throw .badRequest("'input' must be a string or an array, got \(input.kind.article).", param: "input")
        }
        return EmbeddingRequest(body: body, model: model)
    }

    /// What the gateway needs from a `POST /v1/messages` (Anthropic Messages) body.
    package struct MessagesRequest: Sendable {
        package var model: String
        package var stream: Bool
    }

    /// A `POST /v1/messages` body, validated as Anthropic validates it.
    package static func anthropicMessages(_ body: ByteBuffer, requireMaxTokens: Bool) throws(GatewayError) -> MessagesRequest {
        let document = try object(body)
        let model = try modelName(in: document)
        guard let messages = document.member("messages") else { throw .badRequest("messages: Field required", param: "messages") }
        guard messages.kind == .array, !messages.isEmptyContainer else {
            throw .badRequest("messages: must be a non-empty array", param: "messages")
        }
        if requireMaxTokens {
            guard let maxTokens = document.member("max_tokens") else { throw .badRequest("max_tokens: Field required", param: "max_tokens") }
            guard maxTokens.kind == .number else { throw .badRequest("max_tokens: must be an integer", param: "max_tokens") }
        }
        var stream = false
        if let member = document.member("stream"), member.kind != .null {
            guard let value = document.bool(member) else { throw .badRequest("stream: must be a boolean", param: "stream") }
            stream = value
        }
        return MessagesRequest(model: model, stream: stream)
    }

    private static func object(_ body: ByteBuffer) throws(GatewayError) -> TopLevelJSON {
        guard body.readableBytes > 0 else { throw .badRequest("The request body is empty; expected a JSON object.", code: "invalid_json") }
        let document: TopLevelJSON
        do {
            document = try TopLevelJSON(scanning: body)
        } catch {
            throw .badRequest("The request body is not valid JSON: \(error.description).", code: "invalid_json")
        }
        guard document.rootKind == .object else {
            throw .badRequest("The request body must be a JSON object, got \(document.rootKind.article).", code: "invalid_json")
        }
        return document
    }

    private static func modelName(in document: TopLevelJSON) throws(GatewayError) -> String {
        guard let member = document.member("model") else { throw .badRequest("'model' is required.", param: "model") }
        guard let name = document.string(member) else {
            throw .badRequest("'model' must be a string, got \(member.kind.article).", param: "model")
        }
        guard !name.isEmpty else { throw .badRequest("'model' must not be empty.", param: "model") }
        return name
    }
}
