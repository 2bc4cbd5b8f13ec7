import NIOCore
import SwitchyardCore
import SwitchyardWire

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
