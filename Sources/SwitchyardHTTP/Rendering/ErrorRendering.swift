import HTTPTypes
import NIOCore
import Hummingbird
import HummingbirdCore
import Logging
import SwitchyardCore
import SwitchyardWire

/// Renders gateway errors in the OpenAI error shape.
enum OpenAIErrorRendering {
    /// The JSON body `{"error": {"message", "type", "param", "code"}}` for `error`, fields in that order.
    static func body(for error: GatewayError) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeStaticString(#"{"error":{"message":"#)
        body.writeBytes(JSONString.quoted(error.message))
        body.writeStaticString(#","type":"#)
        body.writeBytes(JSONString.quoted(error.typeName))
        body.writeStaticString(#","param":"#)
        writeOptional(error.param, into: &body)
        body.writeStaticString(#","code":"#)
        writeOptional(error.code, into: &body)
        body.writeStaticString("}}")
        return body
    }

    private static func writeOptional(_ text: String?, into body: inout ByteBuffer) {
        if let text { body.writeBytes(JSONString.quoted(text)) } else { body.writeStaticString("null") }
    }

    /// A complete HTTP response for `error`.
    static func response(for error: GatewayError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: body(for: error)))
    }
}

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

extension GatewayError {
    /// The gateway error for an error thrown anywhere while serving a request.
    static func from(_ error: any Error, request: Request) -> GatewayError {
        switch error {
        case let error as GatewayError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .routeNotFound(request.method.rawValue, request.uri.path)
            case .methodNotAllowed:
                return GatewayError(
                    status: 405, kind: .invalidRequest, code: "method_not_allowed",
                    message: "\(request.method.rawValue) is not allowed on \(request.uri.path).")
            default:
                return GatewayError(
                    status: error.status.code, kind: GatewayError.kind(forStatus: error.status.code), code: nil,
                    message: error.body ?? error.status.reasonPhrase)
            }
        default:
            return GatewayError(status: 500, kind: .api, code: "internal_error", message: "The gateway failed to serve this request.")
        }
    }
}
