import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import SwitchyardCore

/// One client TLS context for every upstream, made when the first `https` connection needs it.
final class TLSContextCache: Sendable {
    private let context = Mutex<NIOSSLContext?>(nil)

    func get() throws -> NIOSSLContext {
        try context.withLock { context in
            if let context { return context }
            let made = try NIOSSLContext(configuration: .makeClientConfiguration())
            context = made
            return made
        }
    }
}
