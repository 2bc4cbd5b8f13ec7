import HTTPTypes
import NIOCore
import Hummingbird
import HummingbirdCore
import Logging
import SwitchyardCore
import SwitchyardWire

/// Renders gateway errors in the Anthropic error shape, for `/v1/messages`.
enum AnthropicErrorRendering {
    /// `{"type": "error", "error": {"type", "message"}}`.
    static func body(for error: GatewayError) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeStaticString(#"{"type":"error","error":{"type":"#)
        body.writeBytes(JSONString.quoted(anthropicType(error)))
        body.writeStaticString(#","message":"#)
        body.writeBytes(JSONString.quoted(error.message))
        body.writeStaticString("}}")
        return body
    }

    static func response(for error: GatewayError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: body(for: error)))
    }

    /// Anthropic's type names: the same as the gateway's, with `overloaded_error` for 529 and `api_error` for the rest.
    private static func anthropicType(_ error: GatewayError) -> String {
        if let upstream = error.upstreamType, upstream.hasSuffix("_error") { return upstream }
        switch error.kind {
        case .timeout: return error.status == 529 ? "overloaded_error" : "api_error"
        case .api: return error.status == 529 ? "overloaded_error" : "api_error"
        default: return error.kind.rawValue
        }
    }
}
