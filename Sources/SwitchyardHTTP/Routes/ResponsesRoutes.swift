import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// The OpenAI Responses API, its state kept by the gateway.
struct ResponsesRoutes {
    let services: HTTPServices
    let responses: ResponsesService
    /// The largest `starting_after` accepted: far beyond any stream's length, far below `Int.max`.
    static let maximumSequenceNumber = 1_000_000_000

    func register(on router: Router<GatewayRequestContext>) {
        for prefix in ["/v1", ""] {
            router.post(RouterPath("\(prefix)/responses")) { request, context in try await create(request, context: context) }
            router.post(RouterPath("\(prefix)/responses/input_tokens")) { request, context in
                let body = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
                return AdminJSON.response(try await responses.inputTokens(body, caller: context.caller, context: context.upstreamContext))
            }
            router.get(RouterPath("\(prefix)/responses/{id}")) { request, context in
                let id = try context.parameters.require("id")
                let query = request.uri.queryParameters
                if query.get("stream") == "true" {
                    // A sequence number a stream can reach; the events after it are sent.
                    let after = try QueryInteger.read("starting_after", in: query, range: 0...Self.maximumSequenceNumber)
                    let skip = after.map { $0 + 1 } ?? 0
                    return ResponsesEventStream.make(try await responses.replay(id, caller: context.caller), skipping: skip, context: context)
                }
                return AdminJSON.response(try await responses.retrieve(id, caller: context.caller).response)
            }
            router.delete(RouterPath("\(prefix)/responses/{id}")) { _, context in
                AdminJSON.response(try await responses.delete(try context.parameters.require("id"), caller: context.caller))
            }
            router.post(RouterPath("\(prefix)/responses/{id}/cancel")) { _, context in
                AdminJSON.response(try await responses.cancel(try context.parameters.require("id"), caller: context.caller))
            }
            router.get(RouterPath("\(prefix)/responses/{id}/input_items")) { request, context in
                let page = try ItemPageQuery(request.uri.queryParameters)
                let items = try await responses.inputItems(
                    try context.parameters.require("id"), caller: context.caller, after: page.after, limit: page.limit, ascending: page.ascending)
                return AdminJSON.response(items)
            }
        }
    }

    func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await RequestBodyReader.read(request, context: context, limit: services.maxBodyBytes)
        return try await services.idempotency.respond(to: request, body: body, caller: context.caller) {
            var answer: IdempotentAnswer
            switch try await responses.create(body, caller: context.caller, context: context.upstreamContext) {
            case .object(let object):
                let encoded = object.encoded
                context.journal?.captureResponse(encoded)
                answer = IdempotentAnswer(response: OpenAIRoutes.json(encoded), replayableBody: encoded)
            case .events(let events):
                answer = IdempotentAnswer(response: ResponsesEventStream.make(events, context: context), replayableBody: nil)
            }
            // What the cache did for the turn, as its journal recorded it (nothing yet for a background turn).
            if let cache = context.journal?.summary.cache { answer.response.headers.append(HTTPField(name: .switchyardCache, value: cache)) }
            if let fit = context.journal?.summary.context { answer.response.headers.append(HTTPField(name: .switchyardContext, value: fit)) }
            if let memory = context.journal?.summary.memory { answer.response.headers.append(HTTPField(name: .switchyardMemory, value: memory)) }
            if let logged = context.journal?.summary.guardrails, let report = GuardrailReport(logged: logged) {
                answer.response.headers.append(HTTPField(name: .switchyardGuardrails, value: report.header))
            }
            return answer
        }
    }
}

/// Writes Responses events as Server-Sent Events: `event: <type>` and `data: <event>` with its
/// `sequence_number`, each as soon as it is produced; the relay stops when the client leaves.
enum ResponsesEventStream {
    /// `skipping` leaves out the first events (a client resuming after the sequence number it saw last).
    static func make(_ events: ResponseEvents, skipping: Int = 0, context: GatewayRequestContext) -> Response {
        let journal = context.journal
        return ServerSentEventsResponse.streamed(departure: context.departure, journal: journal) { writer in
            var sequence: Int64 = 0
            var status = 200
            var iterator = events.makeAsyncIterator()
            do {
                while let event = await iterator.next() {
                    guard case .object(var fields) = event else { continue }
                    fields["sequence_number"] = .integer(sequence)
                    sequence += 1
                    if sequence <= skipping { continue }
                    if fields["type"]?.string == "response.failed" { status = 502 }
                    let frame = ServerSentEvent(event: fields["type"]?.string, data: JSONValue.object(fields).encoded).encoded
                    journal?.captureResponse(frame)
                    try await writer.write(frame)
                }
            } catch {
                // The client cannot be written to: the upstream call is settled now, before the journal closes.
                iterator.abandon()
                throw error
            }
            return status
        }
    }
}
