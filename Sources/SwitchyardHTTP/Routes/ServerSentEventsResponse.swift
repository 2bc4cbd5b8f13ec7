import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

/// Writes a chat event stream to the client as Server-Sent Events, each event as soon as it arrives.
///
/// The relay runs cancelled when the client's connection closes, which drops the upstream request with it. A
/// failure after the first event cannot change the status any more, so it is sent as a final error event in the
/// client's dialect. The request's journal is finished when the stream ends: with 200, the failure's status, or
/// 499 when the client left.
enum ServerSentEventsResponse {
    static func make(
        _ events: ChatEventStream, encoder: some ClientStreamEncoder, departure: ClientDeparture?, journal: RequestJournal?, logger: Logger
    ) -> Response {
        streamed(departure: departure, journal: journal) { writer in
            try await relay(events, encoder: encoder, to: &writer, journal: journal, logger: logger)
        }
    }

    /// A `text/event-stream` response whose body `relay` writes, cancelled when the client's connection closes.
    /// The request's journal is finished when the body ends: with the status `relay` returns, 499 when the client
    /// left, 500 when writing failed.
    static func streamed(
        departure: ClientDeparture?, journal: RequestJournal?,
        relay: @escaping @Sendable @concurrent (inout any ResponseBodyWriter) async throws -> Int
    ) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/event-stream",
            .cacheControl: "no-cache",
            .accelBuffering: "no",
        ]
        journal?.finishWhenBodyEnds()
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                do {
                    let status: Int
                    if let departure {
                        status = try await departure.cancellingOnDeparture { try await relay(&writer) }
                    } else {
                        status = try await relay(&writer)
                    }
                    try await writer.finish(nil)
                    journal?.finish(status: status)
                } catch {
                    journal?.finish(status: error is CancellationError || Task.isCancelled ? 499 : 500)
                    throw error
                }
            })
    }

    /// Relays every event; returns the stream's final status.
    @concurrent private static func relay(
        _ events: ChatEventStream, encoder: some ClientStreamEncoder, to writer: inout any ResponseBodyWriter, journal: RequestJournal?,
        logger: Logger
    ) async throws -> Int {
        var encoder = encoder
        var iterator = events.makeAsyncIterator()
        let capturing = journal?.captureLimit != nil
        do {
            while let event = try await iterator.next() {
                for frame in try encoder.frames(for: event) {
                    if capturing { journal?.captureResponse(frame) }
                    try await writer.write(frame)
                }
            }
            for frame in encoder.closingFrames() { try await writer.write(frame) }
            return 200
        } catch let error as GatewayError {
            // Settled now (a no-op when the upstream's failure already settled it), before the journal closes.
            iterator.abandon()
            logger.warning("stream ended by upstream failure", metadata: ["error": "\(error.message)"])
            journal?.recordError(error)
            try await writer.write(encoder.errorFrame(error))
            return error.status
        } catch {
            // The client cannot be written to (or left): the stream is settled now, before the request's journal
            // is finished, so what it cost is in the request's record.
            iterator.abandon()
            throw error
        }
    }
}
