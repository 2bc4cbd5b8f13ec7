package import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
package import NIOCore
import NIOHTTPTypes
import Synchronization
import SwitchyardWire

/// A real HTTP server on loopback that speaks the OpenAI wire format, scripted per request: the upstream that
/// end-to-end tests point the gateway at.
package final class UpstreamDouble: Sendable {
    /// A request as the upstream received it.
    package struct RecordedRequest: Sendable {
        package var method: String
        package var path: String
        /// The query string, without `?`.
        package var query: String
        package var headers: HTTPFields
        package var body: ByteBuffer
        /// The protocol the request came over: `HTTP/1.1` or `HTTP/2`.
        package var httpVersion: String

        /// The body as text.
        package var text: String { String(buffer: body) }

        /// The top-level `model` of the body.
        package var model: String? {
            guard let document = try? TopLevelJSON(scanning: body), let member = document.member("model") else { return nil }
            return document.string(member)
        }
    }

    /// One server-sent event to send, after a pause (and, when it has one, once its gate is open).
    package struct ScriptedEvent: Sendable {
        package var delay: Duration
        /// The whole event text without its final blank line, e.g. `data: {...}`.
        package var text: String
        /// A gate the event waits at before it is sent.
        package var gate: Gate?

        package init(after delay: Duration = .zero, _ text: String, gate: Gate? = nil) {
            self.delay = delay
            self.text = text
            self.gate = gate
        }

        /// A `data:` event carrying `json`.
        package static func data(_ json: String, after delay: Duration = .zero) -> ScriptedEvent {
            ScriptedEvent(after: delay, "data: \(json)")
        }

        /// A `data:` event carrying `json`, sent once `gate` is open.
        package static func data(_ json: String, once gate: Gate) -> ScriptedEvent {
            ScriptedEvent("data: \(json)", gate: gate)
        }

        package static let done = ScriptedEvent("data: [DONE]")
    }

    /// What the upstream answers.
    package enum Reply: Sendable {
        /// A complete body, sent after `delay`.
        case json(status: Int = 200, String, headers: [(String, String)] = [], after: Duration = .zero)
        /// An SSE stream; with `thenDie`, the connection is cut after the events instead of ending cleanly.
        case events([ScriptedEvent], thenDie: Bool = false)
        /// No answer at all for `duration`.
        case silence(Duration)
        /// A 200 whose body is written as these pieces, one write each (binary framings such as AWS event streams).
        case bytes(contentType: String, [ByteBuffer])
    }

    private let handler: @Sendable (RecordedRequest) async -> Reply
    private let recorded = Mutex<[RecordedRequest]>([])
    private let cancelledStreams = Atomic<Int>(0)
    private let completedStreams = Atomic<Int>(0)
    private let closedStreamConnections = Atomic<Int>(0)

    /// - Parameter handler: decides the reply to each request.
    package init(handler: @escaping @Sendable (RecordedRequest) async -> Reply) {
        self.handler = handler
    }

    /// Every request received so far, in order.
    package var requests: [RecordedRequest] { recorded.withLock { $0 } }

    /// Streams whose client went away before the last event was written.
    package var cancelledStreamCount: Int { cancelledStreams.load(ordering: .relaxed) }

    /// Connections that carried a stream and have since been closed, by either side.
    package var closedStreamConnectionCount: Int { closedStreamConnections.load(ordering: .relaxed) }

    /// Streams written to the end.
    package var completedStreamCount: Int { completedStreams.load(ordering: .relaxed) }

    /// Runs the upstream on an ephemeral loopback port for the duration of `body`, which gets its base URL
    /// (`http://127.0.0.1:PORT/v1`).
    package func run<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        try await run(server: .shutdownSafeHTTP1(configuration: .init(additionalChannelHandlers: [CloseOnClientEOF()])), scheme: "http", body)
    }

    /// Runs the upstream with `server`'s connections on an ephemeral loopback port for the duration of `body`,
    /// which gets its base URL (`SCHEME://127.0.0.1:PORT/v1`).
    func run<T: Sendable>(server: HTTPServerBuilder, scheme: String, _ body: (String) async throws -> T) async throws -> T {
        let router = Router(context: DoubleRequestContext.self)
        router.on("/**", method: .post) { request, context in try await self.respond(to: request, channel: context.channel) }
        router.on("/**", method: .get) { request, context in try await self.respond(to: request, channel: context.channel) }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "upstream-double")
        logger.logLevel = .critical
        let application = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body("\(scheme)://127.0.0.1:\(port)/v1")
        }
    }

    private func respond(to request: Request, channel: any Channel) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        // An HTTP/2 request arrives on a stream channel, a child of its connection's channel (itself a child of the
        // listening channel); an HTTP/1.1 request arrives on the connection's channel.
        let httpVersion = channel.parent?.parent == nil ? "HTTP/1.1" : "HTTP/2"
        let recordedRequest = RecordedRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: request.headers, body: body,
            httpVersion: httpVersion)
        recorded.withLock { $0.append(recordedRequest) }
        switch await handler(recordedRequest) {
        case .json(let status, let text, let extraHeaders, let delay):
            if delay > .zero { try await Task.sleep(for: delay) }
            var headers: HTTPFields = [.contentType: "application/json"]
            for (name, value) in extraHeaders { headers[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        case .silence(let duration):
            try await Task.sleep(for: duration)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        case .bytes(let contentType, let pieces):
            return Response(
                status: .ok, headers: [.contentType: contentType],
                body: ResponseBody { writer in
                    for piece in pieces { try await writer.write(piece) }
                    try await writer.finish(nil)
                })
        case .events(let events, let thenDie):
            channel.closeFuture.whenComplete { _ in self.closedStreamConnections.add(1, ordering: .relaxed) }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    do {
                        for event in events {
                            await event.gate?.wait()
                            if event.delay > .zero { try await Task.sleep(for: event.delay) }
                            try await writer.write(ByteBuffer(string: event.text + "\n\n"))
                        }
                    } catch {
                        self.cancelledStreams.add(1, ordering: .relaxed)
                        throw error
                    }
                    if thenDie { throw UpstreamDied() }
                    self.completedStreams.add(1, ordering: .relaxed)
                    try await writer.finish(nil)
                })
        }
    }

    private struct UpstreamDied: Error {}

    /// Closes the connection when the peer (the gateway) closes its side, so `closeFuture` tells when it left.
    private final class CloseOnClientEOF: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
            context.fireUserInboundEventTriggered(event)
        }
    }

    private struct DoubleRequestContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let channel: any Channel

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            channel = source.channel
        }
    }
}
