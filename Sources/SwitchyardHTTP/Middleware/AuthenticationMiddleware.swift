import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import SwitchyardCore
import SwitchyardGateway

/// Requires a valid key on every route except the named public ones, so a new route is never public by accident.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let authenticator: Authenticator
    /// Whether `/metrics` is served without a key.
    var metricsArePublic = true
    /// The admin web UI's sessions: a request to `/admin/` with a session cookie and no key is the master key's
    /// (a mutating one must carry the session's CSRF token); nil when the UI is off.
    var sessions: UISessions?
    /// Paths served without a key: health probes, which carry no secrets.
    static let publicPaths: Set<String> = [
        "/health/live", "/health/liveliness", "/health/liveness", "/healthz",
        "/health/ready", "/health/readiness", "/readyz",
    ]

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let path = context.path
        if Self.publicPaths.contains(path) { return try await next(request, context) }
        // The UI's pages and sign-in check their own session.
        if sessions != nil, Self.isUIPath(path) { return try await next(request, context) }
        let presented = Self.presentedKey(in: request.headers)
        var context = context
        let caller: Caller
        if presented == nil, let sessions, path.hasPrefix("/admin/"), let cookie = UICookies.value(UICookies.session, in: request.headers) {
            guard let session = try await sessions.session(cookie: cookie) else {
                throw GatewayError(status: 401, kind: .authentication, code: "session_expired", message: "The session has expired; sign in again.")
            }
            if ![.get, .head, .options].contains(request.method), !UISessions.matches(request.headers[UICookies.csrfHeader], token: session.csrfToken) {
                throw GatewayError(
                    status: 403, kind: .permission, code: "csrf_token_invalid",
                    message: "This request needs the session's CSRF token in x-csrf-token.")
            }
            caller = .master
        } else if metricsArePublic && path == "/metrics" {
            // A public scrape needs no key; one that sends the master key also sees the series labelled by key and
            // team, and any other key (wrong, or refused while storage is away) gets the public view.
            guard let accepted = try? authenticator.authenticate(presented) else { return try await next(request, context) }
            caller = accepted
        } else {
            caller = try authenticator.authenticate(presented)
        }
        context.caller = caller
        context.journal?.update { summary in
            switch caller {
            case .master:
                summary.keyID = "master"
            case .virtualKey(let grant):
                summary.keyID = grant.key.id
                summary.teamID = grant.team?.id
            }
        }
        return try await next(request, context)
    }

    /// `/ui` and what is under it.
    static func isUIPath(_ path: String) -> Bool { path == "/ui" || path.hasPrefix("/ui/") }

    /// The key from `Authorization: Bearer`, `x-api-key` or `x-goog-api-key`, in that order.
    static func presentedKey(in headers: HTTPFields) -> Substring? {
        if let authorization = headers.value(of: .authorization) {
            // `Bearer <key>`, the scheme in any case.
            let utf8 = authorization.utf8
            if utf8.count > 7, utf8.prefix(7).lazy.map({ $0 | 0x20 }).elementsEqual("bearer ".utf8) {
                return Substring(authorization.utf8.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") }))
            }
        }
        return (headers.value(of: .apiKey) ?? headers.value(of: .googleAPIKey)).map { Substring($0) }
    }
}

extension HTTPFields {
    /// The value of the field `name`, as `self[name]` gives it, without making a new string when the field
    /// appears once (as request headers read on every request do).
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
