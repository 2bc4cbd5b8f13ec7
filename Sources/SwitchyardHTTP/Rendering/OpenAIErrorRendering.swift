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
