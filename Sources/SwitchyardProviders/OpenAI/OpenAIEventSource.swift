import AsyncHTTPClient
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Reads an OpenAI chat completion stream (`data: {chunk}` events ending with `data: [DONE]`) event by event,
/// handing each on as soon as its closing blank line has arrived.
struct OpenAIEventSource: ChatEventSource {
    var body: HTTPClientResponse.Body.AsyncIterator
    let endpoint: UpstreamEndpoint
    let totalDeadline: ContinuousClock.Instant?
    var decoder = ServerSentEventDecoder()
    var sawDone = false

    init(body: HTTPClientResponse.Body.AsyncIterator, endpoint: UpstreamEndpoint, totalDeadline: ContinuousClock.Instant?) {
        self.body = body
        self.endpoint = endpoint
        self.totalDeadline = totalDeadline
    }

    mutating func next() async throws -> ChatStreamEvent? {
        while true {
            if !sawDone, let event = decoder.next() {
                if event.isDoneMarker {
                    sawDone = true
                    return .done
                }
                return .chunk(event.data)
            }
            let bytes: ByteBuffer?
            do {
                bytes = try await body.next()
            } catch {
                throw endpoint.classify(error, waitingFor: "the rest of the stream", limit: endpoint.settings.timeouts.streamIdle)
            }
            guard let bytes else {
                if !sawDone && decoder.hasPartialEvent {
                    throw GatewayError.upstreamUnavailable(
                        "Provider '\(endpoint.settings.name)' ended the stream in the middle of an event.")
                }
                return nil
            }
            if let totalDeadline, ContinuousClock.now > totalDeadline {
                throw GatewayError.upstreamTimeout(
                    "Provider '\(endpoint.settings.name)' did not finish within \(endpoint.settings.timeouts.total!.secondsText) s.")
            }
            // After [DONE] the rest is drained so the connection can be reused.
            if !sawDone { decoder.feed(bytes) }
        }
    }
}
