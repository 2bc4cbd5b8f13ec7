import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import SwitchyardGateway

/// Serves HTTP/1.1 connections with the gateway's responder: keep-alive, pipelining, the gateway's read deadlines,
/// and graceful shutdown (a connection closes once its last queued response has ended).
///
/// Each connection is one task, running on the event loop that owns its socket. Requests reach it whole (see
/// ``HTTPRequestAssembler``) and its responses are written straight into the channel pipeline from that loop, so a
/// request costs one task wake-up and no hop between threads.
struct GatewayHTTP1Channel: ServerChildChannel {
    /// One accepted connection: its channel, its requests in order, and the way back to the client.
    struct Connection: ServerChildChannelValue {
        let channel: any Channel
        let requests: InboundRequestQueue
        let output: ResponseOutput
        /// Cancels the work done for the connection's client when the connection closes.
        let departure: ClientDeparture
        /// False for a connection past `server.max_connections`: it is closed as soon as it is handled.
        var admitted = true
    }

    let responder: @Sendable (InboundHTTPRequest, any Channel, ClientDeparture) async -> Response
    let maximumBody: Int
    let headTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    /// How long a client may stop reading before its connection is closed.
    var writeTimeout: TimeAmount = .seconds(60)
    /// Whether a request's head lets its large body be read (its key is accepted).
    var headGate: RequestHeadGate?
    /// The request-body bytes every connection together may hold.
    var bodyBudget: BodyBudget?
    /// The connections open at once; one past the limit is closed as soon as it is accepted.
    var connections: ConnectionBudget?
    var metrics: GatewayMetrics?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        // A connection past the limit is set up like any other and closed as soon as it is handled: failing its
        // setup would surface as an error on the listening socket.
        var admitted = true
        if let connections {
            admitted = connections.open()
            if admitted {
                channel.closeFuture.whenComplete { _ in connections.close() }
            } else {
                metrics?.connectionRejected()
            }
        }
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            // Pipelining, quiescing and parse errors are the assembler's: NIO's pipelining handler pauses reading
            // during every response, two `epoll_ctl` calls per request.
            try pipeline.addHandler(HTTP1ResponseEncoder())
            try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            let requests = InboundRequestQueue()
            let gate = headGate
            let assembler = HTTPRequestAssembler(
                requests: requests, maximumBody: maximumBody, admitsBody: { head in gate?.admits(head) ?? true }, bodyBudget: bodyBudget,
                writeTimeout: writeTimeout)
            try pipeline.addHandlers([
                ClientConnectionGuard(headTimeout: headTimeout, bodyTimeout: bodyTimeout), WriteGatheringHandler(), assembler,
            ])
            let output = ResponseOutput(loop: channel.eventLoop, assembler: NIOLoopBound(assembler, eventLoop: channel.eventLoop))
            let departure = ClientDeparture()
            channel.closeFuture.whenComplete { _ in departure.depart() }
            return Connection(channel: channel, requests: requests, output: output, departure: departure, admitted: admitted)
        }
    }

    func handle(value connection: Connection, logger: Logger) async {
        let channel = connection.channel
        guard connection.admitted else {
            try? await channel.close()
            return
        }
        await withTaskExecutorPreference(EventLoopTaskExecutor(channel.eventLoop)) {
            // The requests end when the connection closes (those still queued are dropped), or when the task is
            // cancelled (its client left during a stream, or the server stopping after its grace period).
            await withTaskCancellationHandler {
                while let inbound = await connection.requests.next() {
                    let response = await responder(inbound, channel, connection.departure)
                    do {
                        try await connection.output.send(response, answering: inbound)
                    } catch {
                        logger.trace("Failed to write a response", metadata: ["error": "\(error)"])
                        break
                    }
                }
            } onCancel: {
                connection.requests.close()
            }
            connection.output.close()
        }
    }
}
