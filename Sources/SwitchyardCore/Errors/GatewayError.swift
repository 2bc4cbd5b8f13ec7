/// The one error type of the gateway: it knows its HTTP status and is rendered in each client dialect's shape.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error class, named as in the Anthropic and OpenAI error `type` fields.
    public enum Kind: String, Sendable, Equatable {
        case invalidRequest = "invalid_request_error"
        case authentication = "authentication_error"
        case permission = "permission_error"
        case notFound = "not_found_error"
        case requestTooLarge = "request_too_large"
        case rateLimit = "rate_limit_error"
        case api = "api_error"
        case timeout = "timeout_error"
    }

    public var status: Int
    public var kind: Kind
    /// A machine-readable code, e.g. `model_not_found`.
    public var code: String?
    public var message: String
    /// The request field the error is about, if any.
    public var param: String?
    /// Whole seconds after which a retry may succeed (sent as `Retry-After`).
    public var retryAfterSeconds: Int?
    /// The `type` an upstream gave its error, passed on instead of ``kind``'s name.
    public var upstreamType: String?

    /// The `type` to show the client.
    public var typeName: String { upstreamType ?? kind.rawValue }

    /// Whether another target might succeed where this failed: timeouts, unreachable upstreams, 429 and 5xx.
    public var isRetryable: Bool { status == 429 || status >= 500 }

    /// An upstream refusal because the conversation does not fit the model's context window.
    public var isContextWindowExceeded: Bool {
        guard status == 400 || status == 413 else { return false }
        if let code, ["context_length_exceeded", "context_window_exceeded", "string_above_max_length"].contains(code) { return true }
        let text = message.lowercased()
        return [
            "maximum context length", "context window", "context length", "prompt is too long", "too many tokens",
            "exceeds the maximum number of tokens", "input is too long",
        ]
            .contains { text.contains($0) }
    }

    /// An upstream refusal under its content policy.
    public var isContentPolicyViolation: Bool {
        guard (400..<500).contains(status) else { return false }
        if let code, ["content_filter", "content_policy_violation", "content_policy"].contains(code) { return true }
        let text = message.lowercased()
        return text.contains("content management policy") || text.contains("content policy") || text.contains("safety system")
    }

    public init(status: Int, kind: Kind, code: String?, message: String, param: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.kind = kind
        self.code = code
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(status) \(kind.rawValue): \(message)" }

    /// The kind that conventionally goes with an HTTP status.
    public static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 401: .authentication
        case 403: .permission
        case 404: .notFound
        case 408, 504: .timeout
        case 413: .requestTooLarge
        case 429: .rateLimit
        case 400..<500: .invalidRequest
        default: .api
        }
    }
}

extension GatewayError {
    public static func badRequest(_ message: String, param: String? = nil, code: String = "invalid_request") -> GatewayError {
        GatewayError(status: 400, kind: .invalidRequest, code: code, message: message, param: param)
    }

    public static func missingKey() -> GatewayError {
        GatewayError(
            status: 401, kind: .authentication, code: "missing_api_key",
            message: "No API key provided. Send it as 'Authorization: Bearer <key>', 'x-api-key' or 'x-goog-api-key'.")
    }

    public static func invalidKey() -> GatewayError {
        GatewayError(status: 401, kind: .authentication, code: "invalid_api_key", message: "The API key is not valid.")
    }

    public static func unknownModel(_ name: String) -> GatewayError {
        GatewayError(
            status: 404, kind: .notFound, code: "model_not_found",
            message: "The model '\(name)' does not exist or is not configured on this gateway.", param: "model")
    }

    /// A conversation that does not exist, or belongs to another tenant (never told apart).
    public static func conversationNotFound(_ id: String, param: String? = nil) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, code: "conversation_not_found", message: "No conversation '\(id)' was found.", param: param)
    }

    public static func routeNotFound(_ method: String, _ path: String) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, code: "route_not_found", message: "No route for \(method) \(path).")
    }

    public static func bodyTooLarge(limit: Int) -> GatewayError {
        GatewayError(
            status: 413, kind: .requestTooLarge, code: "body_too_large",
            message: "The request body is larger than the gateway's limit of \(limit) bytes.")
    }

    public static func upstreamTimeout(_ message: String) -> GatewayError {
        GatewayError(status: 504, kind: .timeout, code: "upstream_timeout", message: message)
    }

    public static func upstreamUnavailable(_ message: String) -> GatewayError {
        GatewayError(status: 502, kind: .api, code: "upstream_error", message: message)
    }

    /// A provider refused the gateway's own credentials (an upstream 401 or 403): a failure of that target, shown
    /// to the client as 502 if no other target serves.
    public static func upstreamCredentialsRejected(provider: String, status: Int) -> GatewayError {
        GatewayError(
            status: 502, kind: .api, code: "upstream_credentials_rejected",
            message: "Provider '\(provider)' refused the gateway's credentials (\(status)); the gateway's operator must fix its configuration.")
    }

    /// Whether this is ``upstreamCredentialsRejected(provider:status:)``: logged as an error, since only an
    /// operator can fix it.
    public var isUpstreamCredentialsRejected: Bool { code == "upstream_credentials_rejected" }

    public static func conflict(_ message: String) -> GatewayError {
        GatewayError(status: 409, kind: .invalidRequest, code: "conflict", message: message)
    }

    public static func notFound(_ message: String) -> GatewayError {
        GatewayError(status: 404, kind: .notFound, code: "not_found", message: message)
    }

    public static func forbiddenModel(_ model: String) -> GatewayError {
        GatewayError(status: 403, kind: .permission, code: "model_not_allowed", message: "This key may not use the model '\(model)'.", param: "model")
    }

    public static func unsupported(_ message: String) -> GatewayError {
        GatewayError(status: 400, kind: .invalidRequest, code: "unsupported", message: message)
    }
}
