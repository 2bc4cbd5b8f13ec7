import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Hummingbird's HTTP/1 channel, safe for connections accepted while the server stops.
///
/// A connection the server accepts after its accept loop has ended is never handled: its `NIOAsyncChannel` is
/// dropped unused, and NIO traps when an async channel's writer is released unfinished. A connection released
/// without having been handled is closed here, which finishes that writer.
struct ShutdownSafeHTTP1Channel: ServerChildChannel {
    let base: HTTP1Channel

    final class Connection: ServerChildChannelValue {
        let asyncChannel: HTTP1Channel.Value
        let handled = Atomic<Bool>(false)

        var channel: any Channel { asyncChannel.channel }

        init(_ asyncChannel: HTTP1Channel.Value) {
            self.asyncChannel = asyncChannel
        }

        deinit {
            guard !handled.load(ordering: .acquiring) else { return }
            // The task keeps the async channel, and so its writer, until the writer is finished.
            Task { [asyncChannel] in try? await asyncChannel.executeThenClose { _, _ in } }
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        base.setup(channel: channel, logger: logger).map(Connection.init)
    }

    func handle(value connection: Connection, logger: Logger) async {
        connection.handled.store(true, ordering: .releasing)
        await base.handle(value: connection.asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1 server whose connections survive being accepted during shutdown (see ``ShutdownSafeHTTP1Channel``).
    static func shutdownSafeHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in ShutdownSafeHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}
