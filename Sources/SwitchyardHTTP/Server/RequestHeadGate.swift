import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1
import SwitchyardCore

/// Decides from a request's head alone whether its body may be read: the key it presents must be accepted (or its
/// path public). A client without a valid key cannot make the gateway buffer a large body before it is told 401.
struct RequestHeadGate: Sendable {
    let authenticator: Authenticator
    /// Whether the admin web UI (and its sessions) is served.
    var uiEnabled = false

    func admits(_ head: HTTPRequestHead) -> Bool {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        if AuthenticationMiddleware.publicPaths.contains(path) { return true }
        // The web UI's pages, and the admin API called with a UI session, are checked once the session is read.
        if uiEnabled, AuthenticationMiddleware.isUIPath(path) || (path.hasPrefix("/admin/") && head.headers["cookie"].contains { $0.contains(UICookies.session + "=") }) {
            return true
        }
        let key = AuthenticationMiddleware.presentedKey(in: HTTPFields(head.headers, splitCookie: false))
        return (try? authenticator.authenticate(key)) != nil
    }
}
