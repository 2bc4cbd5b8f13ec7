import AsyncHTTPClient
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Reads an upstream's streamed body as Server-Sent Events, each as soon as its closing blank line arrives,
/// turning transport failures, silences and the total timeout into the gateway's errors.
struct ServerSentEventReader {
    private var body: HTTPClientResponse.Body.AsyncIterator
    private let endpoint: UpstreamEndpoint
    private let totalDeadline: ContinuousClock.Instant?
    private var decoder = ServerSentEventDecoder()

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        body = answer.response.body.makeAsyncIterator()
        self.endpoint = endpoint
        totalDeadline = answer.totalDeadline
    }

    /// The next event; nil when the upstream ended the body cleanly between events.
    mutating func next() async throws -> ServerSentEvent? {
        while true {
            if let event = decoder.next() { return event }
            guard let bytes = try await read() else {
                if decoder.hasPartialEvent {
                    throw GatewayError.upstreamUnavailable("Provider '\(endpoint.settings.name)' ended the stream in the middle of an event.")
                }
                return nil
            }
            decoder.feed(bytes)
        }
    }

    /// Reads the rest of the body and drops it, so the connection can serve another request.
    mutating func drain() async throws {
        while try await read() != nil {}
    }

    private mutating func read() async throws -> ByteBuffer? {
        let bytes: ByteBuffer?
        do {
            bytes = try await body.next()
        } catch {
            throw endpoint.classify(error, waitingFor: "the rest of the stream", limit: endpoint.settings.timeouts.streamIdle)
        }
        if bytes != nil, let totalDeadline, ContinuousClock.now > totalDeadline {
            throw GatewayError.upstreamTimeout(
                "Provider '\(endpoint.settings.name)' did not finish within \(endpoint.settings.timeouts.total?.secondsText ?? "?") s.")
        }
        return bytes
    }
}
