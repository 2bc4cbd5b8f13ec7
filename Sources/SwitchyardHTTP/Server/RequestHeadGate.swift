import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1
import SwitchyardCore

/// Decides from a request's head alone whether its body may be read: the key it presents must be accepted (or its
/// path public). A client without a valid key cannot make the gateway buffer a large body before it is told 401.
struct RequestHeadGate: Sendable {
    let authenticator: Authenticator

    func admits(_ head: HTTPRequestHead) -> Bool {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        if AuthenticationMiddleware.publicPaths.contains(path) { return true }
        let key = AuthenticationMiddleware.presentedKey(in: HTTPFields(head.headers, splitCookie: false))
        return (try? authenticator.authenticate(key)) != nil
    }
}
