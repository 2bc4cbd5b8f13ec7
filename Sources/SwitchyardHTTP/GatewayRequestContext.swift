import HTTPTypes
package import Hummingbird
import HummingbirdCore
import Logging
package import NIOCore
package import SwitchyardCore
package import Tracing

/// The per-request state shared by middleware and routes.
package struct GatewayRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The id echoed in `x-request-id` and passed upstream.
    package var requestID: String = ""
    /// The request's path, read once by the gateway's responder or the envelope middleware (Hummingbird makes it
    /// anew on each read).
    package var path: String = ""
    /// Who is calling; set by authentication.
    package var caller: Caller?
    /// What the request did, reported when it ends; set by the envelope middleware.
    package var journal: RequestJournal?
    /// The tracer, when tracing is on.
    package var tracer: (any Tracer)?
    /// Time spent waiting on upstreams, subtracted from the total to report the gateway's own overhead.
    package let stopwatch = UpstreamStopwatch()
    /// The client's connection closing, watched to stop work for a client that left; nil when the request did not
    /// come through the gateway's server.
    package var departure: ClientDeparture?
    /// What the request's `Cache-Control` asks of the response cache.
    package var cacheControl = CacheControl.default
    /// The request's body as the server read it, whole: routes take it as it is instead of iterating the
    /// request's body sequence. Nil for a request that did not come through the gateway's server; anything that
    /// hands a route a request with another body must set it to nil (or to that body).
    package var body: ByteBuffer?

    package init(source: Source) {
        coreContext = .init(source: source)
    }
}

extension GatewayRequestContext {
    /// What an upstream call made for this request needs to know about it.
    var upstreamContext: UpstreamContext {
        var context = UpstreamContext(
            requestID: requestID, logger: logger, stopwatch: stopwatch, journal: journal, tracer: tracer,
            traceContext: journal?.span?.context ?? .topLevel)
        context.cacheControl = cacheControl
        return context
    }
}
