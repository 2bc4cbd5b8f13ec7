import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import SwitchyardHTTP

@Suite("The gateway's responder")
struct GatewayResponderTests {
    /// A responder whose table and router each answer with their own name in `x-served-by`.
    static func responder() -> GatewayResponder {
        let router = Router(context: GatewayRequestContext.self)
        router.post("/v1/chat/completions") { _, context in Self.answer("router", path: context.path) }
        router.get("/v1/chat/completions") { _, context in Self.answer("router", path: context.path) }
        router.post("/v1/other") { _, context in Self.answer("router", path: context.path) }
        return GatewayResponder(
            router: router.buildResponder(),
            posts: ["/v1/chat/completions": { _, context in Self.answer("table", path: context.path) }])
    }

    static func answer(_ servedBy: String, path: String) -> Response {
        Response(status: .ok, headers: [HTTPField.Name("x-served-by")!: servedBy, HTTPField.Name("x-path")!: path])
    }

    static func respond(_ method: HTTPRequest.Method, _ path: String) async throws -> HTTPFields {
        let request = Request(head: HTTPRequest(method: method, scheme: nil, authority: nil, path: path), body: RequestBody(buffer: ByteBuffer()))
        let context = GatewayRequestContext(source: .init(channel: EmbeddedChannel(), logger: Logger(label: "test")))
        return try await responder().respond(to: request, context: context).headers
    }

    @Test("a POST to a path the table holds is answered from the table, with the path read once for the envelope")
    func table() async throws {
        let headers = try await Self.respond(.post, "/v1/chat/completions?trace=1")
        #expect(headers[HTTPField.Name("x-served-by")!] == "table")
        #expect(headers[HTTPField.Name("x-path")!] == "/v1/chat/completions")
    }

    @Test("another method, another path or a trailing slash goes to the router", arguments: [
        (HTTPRequest.Method.get, "/v1/chat/completions"), (.post, "/v1/chat/completions/"), (.post, "/v1/other"),
    ])
    func router(method: HTTPRequest.Method, path: String) async throws {
        let headers = try await Self.respond(method, path)
        #expect(headers[HTTPField.Name("x-served-by")!] == "router")
        #expect(headers[HTTPField.Name("x-path")!] == String(path.prefix { $0 != "?" }))
    }
}
