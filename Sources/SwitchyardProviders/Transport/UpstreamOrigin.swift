import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import SwitchyardCore

/// Where connections go: scheme, host and port.
struct UpstreamOrigin: Hashable, Sendable {
    var tls: Bool
    var host: String
    var port: Int

    /// The `Host` header's value: the port only when it is not the scheme's own.
    var hostHeader: String {
        let host = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? host : "\(host):\(port)"
    }
}
