import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway

/// The Files API: uploads for knowledge bases, per tenant.
struct FileRoutes {
    let services: HTTPServices
    let files: FileService

    func register(on router: Router<GatewayRequestContext>) {
        for prefix in ["/v1", ""] {
            router.post(RouterPath("\(prefix)/files")) { request, context in
                let body = try await RequestBodyReader.read(request, limit: services.maxBodyBytes, capturingInto: nil)
                let upload = try MultipartUpload.read(body, contentType: request.headers[.contentType])
                return AdminJSON.response(try await files.create(upload, caller: context.caller))
            }
            router.get(RouterPath("\(prefix)/files")) { request, context in
                let query = request.uri.queryParameters
                let limit = try QueryInteger.read("limit", in: query, range: 1...10_000) ?? 10_000
                let order = query.get("order") ?? "desc"
                guard order == "asc" || order == "desc" else { throw GatewayError.badRequest("'order' must be asc or desc.", param: "order") }
                return AdminJSON.response(
                    try await files.list(
                        purpose: query.get("purpose"), after: query.get("after"), limit: limit, ascending: order == "asc", caller: context.caller))
            }
            router.get(RouterPath("\(prefix)/files/{id}")) { _, context in
                AdminJSON.response(try await files.retrieve(try context.parameters.require("id"), caller: context.caller))
            }
            router.delete(RouterPath("\(prefix)/files/{id}")) { _, context in
                AdminJSON.response(try await files.delete(try context.parameters.require("id"), caller: context.caller))
            }
            router.get(RouterPath("\(prefix)/files/{id}/content")) { _, context in
                let (content, type) = try await files.content(try context.parameters.require("id"), caller: context.caller)
                return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: content))
            }
        }
    }
}
