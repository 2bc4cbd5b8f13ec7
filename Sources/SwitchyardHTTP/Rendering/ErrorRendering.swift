import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import SwitchyardCore
import SwitchyardWire

/// Renders gateway errors in the OpenAI error shape.
enum OpenAIErrorRendering {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The JSON body `{"error": {...}}` for `error`.
    static func body(for error: GatewayError) -> ByteBuffer {
        let body = OpenAIErrorBody(
            error: .init(message: error.message, type: error.typeName, param: error.param, code: error.code))
        let data = (try? encoder.encode(body)) ?? Data(#"{"error":{"message":"internal error","type":"api_error","param":null,"code":null}}"#.utf8)
        return ByteBuffer(bytes: data)
    }

    /// A complete HTTP response for `error`.
    static func response(for error: GatewayError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: body(for: error)))
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
