import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import SwitchyardCore

/// An absolute `http` or `https` URL, split into what a connection needs.
struct UpstreamURL: Sendable {
    var origin: UpstreamOrigin
    var pathAndQuery: String
    var hostHeader: String

    init(_ url: String) throws(UpstreamTransportError) {
        let tls: Bool
        let rest: Substring
        if url.hasPrefix("https://") {
            tls = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            tls = false
            rest = url.dropFirst(7)
        } else {
            throw .invalidURL(url)
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let path = rest[authorityEnd...]
        pathAndQuery = path.isEmpty ? "/" : (path.first == "?" ? "/" + path : String(path))
        var host = authority
        var port = tls ? 443 : 80
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.first == ":" {
                guard let parsed = Int(after.dropFirst()) else { throw .invalidURL(url) }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { throw .invalidURL(url) }
            port = parsed
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw .invalidURL(url) }
        origin = UpstreamOrigin(tls: tls, host: String(host), port: port)
        hostHeader = origin.hostHeader
    }
}
