import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// Lets only the master key through.
struct MasterKeyRequirement: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard context.caller == .master else {
            throw GatewayError(status: 403, kind: .permission, code: "admin_only", message: "The admin API needs the master key.")
        }
        return try await next(request, context)
    }
}
