import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The Vector Stores API: stores, their files, and search, per tenant.
struct VectorStoreRoutes {
    let services: HTTPServices
    let vectorStores: VectorStoreService

    func register(on router: Router<GatewayRequestContext>) {
        for prefix in ["/v1", ""] {
            let stores = "\(prefix)/vector_stores"
            router.post(RouterPath(stores)) { request, context in
                AdminJSON.response(try await vectorStores.create(try await body(of: request, context: context), caller: context.caller))
            }
            router.get(RouterPath(stores)) { request, context in
                let page = try ItemPageQuery(request.uri.queryParameters)
                return AdminJSON.response(try await vectorStores.list(after: page.after, limit: page.limit, ascending: page.ascending, caller: context.caller))
            }
            router.get(RouterPath("\(stores)/{id}")) { _, context in
                AdminJSON.response(try await vectorStores.retrieve(try context.parameters.require("id"), caller: context.caller))
            }
            router.post(RouterPath("\(stores)/{id}")) { request, context in
                let id = try context.parameters.require("id")
                return AdminJSON.response(try await vectorStores.update(id, try await body(of: request, context: context), caller: context.caller))
            }
            router.delete(RouterPath("\(stores)/{id}")) { _, context in
                AdminJSON.response(try await vectorStores.delete(try context.parameters.require("id"), caller: context.caller))
            }
            router.post(RouterPath("\(stores)/{id}/search")) { request, context in
                let id = try context.parameters.require("id")
                let body = try await body(of: request, context: context)
                return AdminJSON.response(try await vectorStores.search(id, body, caller: context.caller, context: context.upstreamContext))
            }
            router.post(RouterPath("\(stores)/{id}/files")) { request, context in
                let id = try context.parameters.require("id")
                return AdminJSON.response(try await vectorStores.addFile(to: id, try await body(of: request, context: context), caller: context.caller))
            }
            router.get(RouterPath("\(stores)/{id}/files")) { request, context in
                let page = try ItemPageQuery(request.uri.queryParameters)
                return AdminJSON.response(
                    try await vectorStores.listFiles(
                        in: try context.parameters.require("id"), filter: request.uri.queryParameters.get("filter"), after: page.after, limit: page.limit,
                        ascending: page.ascending, caller: context.caller))
            }
            router.get(RouterPath("\(stores)/{id}/files/{file}")) { _, context in
                let (id, file) = (try context.parameters.require("id"), try context.parameters.require("file"))
                return AdminJSON.response(try await vectorStores.retrieveFile(file, in: id, caller: context.caller))
            }
            router.post(RouterPath("\(stores)/{id}/files/{file}")) { request, context in
                let (id, file) = (try context.parameters.require("id"), try context.parameters.require("file"))
                return AdminJSON.response(try await vectorStores.updateFile(file, in: id, try await body(of: request, context: context), caller: context.caller))
            }
            router.delete(RouterPath("\(stores)/{id}/files/{file}")) { _, context in
                let (id, file) = (try context.parameters.require("id"), try context.parameters.require("file"))
                return AdminJSON.response(try await vectorStores.deleteFile(file, in: id, caller: context.caller))
            }
        }
    }

    /// The request's JSON body; an empty body reads as an empty object.
    private func body(of request: Request, context: GatewayRequestContext) async throws -> JSONValue {
        let buffer = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
        guard buffer.readableBytes > 0 else { return [:] }
        guard let json = try? JSONValue(decoding: buffer), json.object != nil else {
            throw GatewayError.badRequest("The request body must be a JSON object.", code: "invalid_json")
        }
        return json
    }
}
