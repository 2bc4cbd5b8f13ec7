import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Synchronization
import SwitchyardCore
import SwitchyardGateway
import Tracing

/// Wraps every request: assigns its id, opens its journal (and server span, continuing the client's trace),
/// renders any error in the API's own shape, stamps `x-request-id` and `x-switchyard-overhead-ms` on the
/// response, and finishes the journal, unless a streamed body finishes it when it ends.
struct ResponseEnvelopeMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let observer: RequestObserver
    private let requestIDs = RequestIDGenerator()

    init(observer: RequestObserver) {
        self.observer = observer
    }

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.requestID = RequestIDGenerator.clientSupplied(request.headers.value(of: .requestID)) ?? requestIDs.next()
        // Set by the gateway's responder when the request came through it.
        let path = context.path.isEmpty ? request.uri.path : context.path
        context.path = path
        if let cacheControl = request.headers[.cacheControl] { context.cacheControl = CacheControl(header: cacheControl) }
        // Probes and scrapes are not requests anyone needs traced, logged or counted.
        let journal = Self.isProbe(path) ? nil : begin(request, path: path, context: &context)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let gatewayError = GatewayError.from(error, request: request)
            if gatewayError.status >= 500 && !(error is GatewayError) {
                context.logger.error("request failed", metadata: ["request_id": "\(context.requestID)", "error": "\(error)"])
            }
            journal?.recordError(gatewayError)
            // Each API answers errors in its own shape.
            response =
                path.hasPrefix("/v1/messages")
                ? AnthropicErrorRendering.response(for: gatewayError) : OpenAIErrorRendering.response(for: gatewayError)
        }
        response.headers.append(HTTPField(name: .requestID, value: context.requestID))
        let overhead = (ContinuousClock.now - start) - context.stopwatch.waited
        response.headers.append(HTTPField(name: .overhead, value: Self.milliseconds(overhead)))
        if let journal {
            journal.update { $0.overhead = overhead }
            if !journal.bodyFinishes { journal.finish(status: Int(response.status.code)) }
        }
        return response
    }

    /// Opens the request's journal, continuing the client's trace when it sent one.
    private func begin(_ request: Request, path: String, context: inout Context) -> RequestJournal {
        context.tracer = observer.tracer
        var parent = ServiceContext.topLevel
        observer.tracer?.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let journal = observer.begin(requestID: context.requestID, method: request.method.rawValue, path: path, parent: parent)
        context.journal = journal
        return journal
    }

    static func isProbe(_ path: String) -> Bool {
        path == "/metrics" || AuthenticationMiddleware.publicPaths.contains(path)
    }

    /// `duration` in milliseconds with three decimals, never negative.
    static func milliseconds(_ duration: Duration) -> String {
        let microseconds = max(0, duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000)
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
