import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The admin web UI at `/ui`: the sign-in page (the master key, posted with a CSRF token the page carries), the app
/// (static HTML, CSS and JavaScript served from the binary's resources, calling the admin API with the session's
/// cookie and CSRF token), the session's token (`GET /ui/session`) and sign-out.
struct UIRoutes {
    let sessions: UISessions
    let authenticator: Authenticator
    let assets = UIAssets.bundled

    func register(on router: Router<GatewayRequestContext>) {
        // `/ui` and `/ui/` are one route.
        router.get("/ui/") { request, _ in
            guard try await session(request) != nil else { return Self.redirect(to: "/ui/login") }
            return try asset("index.html")
        }
        router.get("/ui/login") { _, _ in loginPage(error: "") }
        router.post("/ui/login") { request, _ in try await signIn(request) }
        router.get("/ui/session") { request, _ in
            guard let session = try await session(request) else { throw Self.expired }
            return AdminJSON.response(["csrf": .string(session.csrfToken), "expires_at": .string(session.expiresAt.ISO8601Format())])
        }
        router.post("/ui/logout") { request, _ in
            guard let cookie = UICookies.value(UICookies.session, in: request.headers), let session = try await sessions.session(cookie: cookie) else {
                throw Self.expired
            }
            guard UISessions.matches(request.headers[UICookies.csrfHeader], token: session.csrfToken) else {
                throw GatewayError(status: 403, kind: .permission, code: "csrf_token_invalid", message: "Signing out needs the session's CSRF token.")
            }
            try await sessions.end(cookie: cookie)
            var response = Response(status: .noContent)
            response.headers.append(HTTPField(name: .setCookie, value: UICookies.setting(UICookies.session, "", path: "/", seconds: 0)))
            return response
        }
        router.get("/ui/{file}") { _, context in try asset(try context.parameters.require("file")) }
    }

    static let expired = GatewayError(status: 401, kind: .authentication, code: "session_expired", message: "No session, or it has expired; sign in.")

    private func session(_ request: Request) async throws -> UISession? {
        guard let cookie = UICookies.value(UICookies.session, in: request.headers) else { return nil }
        return try await sessions.session(cookie: cookie)
    }

    /// Checks the form's CSRF token against the sign-in cookie and the key against the master key; starts a session
    /// and goes to the app, or shows the page again with what was wrong.
    private func signIn(_ request: Request) async throws -> Response {
        let body = try await RequestBodyReader.read(request, limit: 16 * 1024)
        let form = Self.formFields(String(buffer: body))
        guard let token = form["csrf"], !token.isEmpty, let cookie = UICookies.value(UICookies.loginToken, in: request.headers),
            UISessions.matches(token, token: String(cookie))
        else {
            return loginPage(error: "The sign-in form expired; try again.", status: .forbidden)
        }
        guard let key = form["key"], case .master? = try? authenticator.authenticate(Substring(key)) else {
            return loginPage(error: "That is not the master key.", status: .unauthorized)
        }
        // A session already in this browser ends: one sign-in, one session.
        if let previous = UICookies.value(UICookies.session, in: request.headers), UISessions.isWellFormed(previous) {
            try await sessions.end(cookie: previous)
        }
        let (value, _) = try await sessions.start()
        var response = Self.redirect(to: "/ui/")
        response.headers.append(
            HTTPField(name: .setCookie, value: UICookies.setting(UICookies.session, value, path: "/", seconds: sessions.lifetime.components.seconds)))
        response.headers.append(HTTPField(name: .setCookie, value: UICookies.setting(UICookies.loginToken, "", path: "/ui/login", seconds: 0)))
        return response
    }

    /// The sign-in page with a new CSRF token, also set as a cookie for the form's post to match.
    private func loginPage(error: String, status: HTTPResponse.Status = .ok) -> Response {
        let token = SecretGenerator.makeKey(prefix: "")
        let page = (assets.text("login.html") ?? "")
            .replacingOccurrences(of: "{{csrf}}", with: token)
            .replacingOccurrences(of: "{{error}}", with: Self.escaped(error))
        var response = Self.page(ByteBuffer(string: page), contentType: "text/html; charset=utf-8", status: status)
        response.headers.append(HTTPField(name: .setCookie, value: UICookies.setting(UICookies.loginToken, token, path: "/ui/login", seconds: 600)))
        return response
    }

    private func asset(_ name: String) throws -> Response {
        guard let file = assets.file(name) else { throw GatewayError.notFound("No file '\(name)' in the UI.") }
        return Self.page(file.bytes, contentType: file.contentType)
    }

    /// A UI response: no caching of pages, a strict content security policy (no inline script or style, nothing from
    /// another origin), no framing, no sniffing, no referrer.
    static func page(_ body: ByteBuffer, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        let headers: HTTPFields = [
            .contentType: contentType, .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            .xContentTypeOptions: "nosniff", .referrerPolicy: "no-referrer", .xFrameOptions: "DENY",
        ]
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ Self.decoded($0) }) else { continue }
            fields[name] = parts.count > 1 ? Self.decoded(parts[1]) ?? "" : ""
        }
        return fields
    }

    private static func decoded(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
