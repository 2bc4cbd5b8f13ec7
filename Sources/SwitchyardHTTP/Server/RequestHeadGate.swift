import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Foundation
import SwitchyardCore
import SwitchyardGateway

/// Decides from a request's head alone whether its body may be read: the key it presents must be accepted (or its
/// path public). A client without a valid key cannot make the gateway buffer a large body before it is told 401.
struct RequestHeadGate: Sendable {
    let authenticator: Authenticator
    /// Whether the admin web UI (and its sessions) is served.
    var uiEnabled = false

    func admits(_ head: HTTPRequestHead) -> Bool {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        if AuthenticationMiddleware.publicPaths.contains(path) { return true }
        // The web UI's pages and sign-in, and the admin API called with a UI session, are checked once the session is
        // read; until then only small bodies are let in (a sign-in form; an admin change).
        if uiEnabled, AuthenticationMiddleware.isUIPath(path) { return Self.bodyIsSmall(head, limit: Self.uiBodyLimit) }
        if uiEnabled, path.hasPrefix("/admin/"), let cookie = UICookies.value(UICookies.session, in: HTTPFields(head.headers, splitCookie: false)),
            UISessions.isWellFormed(cookie)
        {
            return Self.bodyIsSmall(head, limit: Self.adminBodyLimit)
        }
        let key = AuthenticationMiddleware.presentedKey(in: HTTPFields(head.headers, splitCookie: false))
        return (try? authenticator.authenticate(key)) != nil
    }

    /// The largest body the UI's routes read (its sign-in form).
    static let uiBodyLimit = 16 * 1024
    /// The largest body the admin API reads.
    static let adminBodyLimit = AdminRequestBody.limit

    /// Whether the request declares no body, or a body of at most `limit` bytes (a chunked one, of unknown length,
    /// is not small).
    static func bodyIsSmall(_ head: HTTPRequestHead, limit: Int) -> Bool {
        if head.headers["transfer-encoding"].contains(where: { !$0.isEmpty }) { return false }
        guard let declared = head.headers["content-length"].first else { return true }
        guard let length = Int(declared.trimmingCharacters(in: .whitespaces)) else { return false }
        return length >= 0 && length <= limit
    }
}
