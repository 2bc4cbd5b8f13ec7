import HTTPTypes
import NIOCore
import Hummingbird
import HummingbirdCore
import Logging
import SwitchyardCore
import SwitchyardWire

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
