package import Hummingbird
import HummingbirdCore

/// Answers the gateway's requests: the data-plane routes (chat completions, embeddings, messages), which carry
/// nearly all of its traffic, from a table of exact `POST` paths; every other request through the router.
///
/// A data-plane route runs behind the same envelope and authentication middleware as every route, composed once
/// when the routes are built, so it skips the router's path lookup and its generic middleware chain (and the
/// executor checks each of its layers costs) but none of the gateway's own steps. A path the table does not hold
/// exactly (another method, a trailing slash) goes to the router, which answers it as before.
package struct GatewayResponder: Sendable {
    /// A route's handler, or a route wrapped in the middleware.
    package typealias Handler = @Sendable (Request, GatewayRequestContext) async throws -> Response

    let router: RouterResponder<GatewayRequestContext>
    /// The data-plane routes by path, each already behind the middleware.
    let posts: [String: Handler]

    package func respond(to request: Request, context: GatewayRequestContext) async throws -> Response {
        // Read once here for the envelope too: the request's path is a new string on every read.
        var context = context
        context.path = request.uri.path
        if request.method == .post, let handler = posts[context.path] { return try await handler(request, context) }
        return try await router.respond(to: request, context: context)
    }
}
