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

/// Yields the payload of each event of an upstream stream, whatever its framing.
protocol UpstreamEventReader {
    /// The next event's payload; nil when the body ended cleanly between events.
    mutating func nextPayload() async throws -> ByteBuffer?
    mutating func drain() async throws
}

/// Server-Sent Events, each handed on as soon as its closing blank line arrives.
struct ServerSentEventReader: UpstreamEventReader {
    private var body: UpstreamBodyReader
    private var decoder = ServerSentEventDecoder()

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        body = UpstreamBodyReader(answer, endpoint: endpoint)
    }

    /// The next event; nil when the upstream ended the body cleanly between events.
    mutating func next() async throws -> ServerSentEvent? {
        while true {
            if let event = decoder.next() { return event }
            guard let bytes = try await body.read() else {
                if decoder.hasPartialEvent { throw body.cutShort() }
                return nil
            }
            decoder.feed(bytes)
            if decoder.bufferedBytes > UpstreamBodyReader.maximumEventBytes { throw body.tooLarge() }
        }
    }

    mutating func nextPayload() async throws -> ByteBuffer? { try await next()?.data }

    mutating func drain() async throws { try await body.drain() }
}

/// Newline-delimited JSON (Ollama's streaming), each line handed on as soon as it is complete.
struct NDJSONReader: UpstreamEventReader {
    private var body: UpstreamBodyReader
    private var pending = ByteBuffer()

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        body = UpstreamBodyReader(answer, endpoint: endpoint)
    }

    mutating func nextPayload() async throws -> ByteBuffer? {
        while true {
            if let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending.readSlice(length: newline - pending.readerIndex)!
                pending.moveReaderIndex(forwardBy: 1)
                if line.readableBytesView.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                return line
            }
            guard var bytes = try await body.read() else {
                guard pending.readableBytesView.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return nil }
                // A last line without its newline is still a whole JSON document.
                defer { pending.clear() }
                return pending.readSlice(length: pending.readableBytes)
            }
            pending.discardReadBytes()
            pending.writeBuffer(&bytes)
            if pending.readableBytes > UpstreamBodyReader.maximumEventBytes { throw body.tooLarge() }
        }
    }

    mutating func drain() async throws { try await body.drain() }
}
