import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Reads an upstream's streamed body, turning transport failures, silences and the total timeout into the
/// gateway's errors.
struct UpstreamBodyReader {
    private var body: UpstreamResponseBody.AsyncIterator
    let endpoint: UpstreamEndpoint
    private let totalDeadline: ContinuousClock.Instant?

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        body = answer.response.body.makeAsyncIterator()
        self.endpoint = endpoint
        totalDeadline = answer.totalDeadline
    }

    /// The next bytes; nil at the end of the body.
    mutating func read() async throws -> ByteBuffer? {
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

    /// Reads the rest of the body and drops it, so the connection can serve another request.
    mutating func drain() async throws {
        while try await read() != nil {}
    }

    /// The most an event may hold before the stream is refused: no upstream makes the gateway buffer without bound.
    static let maximumEventBytes = 16 << 20

    func tooLarge() -> GatewayError {
        GatewayError.upstreamUnavailable("Provider '\(endpoint.settings.name)' sent a stream event larger than \(Self.maximumEventBytes) bytes.")
    }

    func cutShort() -> GatewayError {
        GatewayError.upstreamUnavailable("Provider '\(endpoint.settings.name)' ended the stream in the middle of an event.")
    }
}
