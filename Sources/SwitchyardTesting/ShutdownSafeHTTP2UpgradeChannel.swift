import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// Hummingbird's TLS channel that negotiates HTTP/2 or HTTP/1.1 by ALPN, safe for connections accepted while the
/// server stops, as ``ShutdownSafeHTTP1Channel`` is for plain HTTP/1.
///
/// A connection released without having been handled is closed, then handled, which ends at once and finishes
/// whatever async channel its negotiation made.
struct ShutdownSafeHTTP2UpgradeChannel: ServerChildChannel {
    let base: HTTP2UpgradeChannel

    final class Connection: ServerChildChannelValue {
        let value: HTTP2UpgradeChannel.Value
        let base: HTTP2UpgradeChannel
        let handled = Atomic<Bool>(false)

        var channel: any Channel { value.channel }

        init(_ value: HTTP2UpgradeChannel.Value, base: HTTP2UpgradeChannel) {
            self.value = value
            self.base = base
        }

        deinit {
            guard !handled.load(ordering: .acquiring) else { return }
            value.channel.close(promise: nil)
            Task { [base, value] in await base.handle(value: value, logger: Logger(label: "upstream-double")) }
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        let base = self.base
        return base.setup(channel: channel, logger: logger).map { Connection($0, base: base) }
    }

    func handle(value connection: Connection, logger: Logger) async {
        connection.handled.store(true, ordering: .releasing)
        await base.handle(value: connection.value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTPS server offering HTTP/2 and HTTP/1.1 by ALPN, whose connections survive being accepted during
    /// shutdown (see ``ShutdownSafeHTTP2UpgradeChannel``).
    static func shutdownSafeHTTP2Upgrade(tlsConfiguration: TLSConfiguration) -> HTTPServerBuilder {
        .init { responder in
            ShutdownSafeHTTP2UpgradeChannel(base: try HTTP2UpgradeChannel(tlsConfiguration: tlsConfiguration, responder: responder))
        }
    }
}
