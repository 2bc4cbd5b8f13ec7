import NIOCore
import SwitchyardCore

/// Splits a streamed body into events, however its bytes are split across reads: Server-Sent Events, NDJSON lines,
/// AWS event-stream messages.
protocol StreamFraming {
    associatedtype Event
    mutating func feed(_ bytes: ByteBuffer)
    /// The next complete event, nil until more bytes arrive; throws when the framing is broken.
    mutating func nextEvent() throws -> Event?
    /// Bytes held for events not yet complete.
    var bufferedBytes: Int { get }
    /// What the body's end leaves: nil when it ended between events, the last event when the framing lets one end
    /// with the body; throws ``FramedEventReader/CutShort`` when it ended in the middle of one.
    mutating func finish() throws -> Event?
    /// The JSON an event carries, for readers that translate it.
    static func payload(of event: Event) -> ByteBuffer
}

/// Reads an upstream's streamed body event by event, each handed on as soon as it is complete. The one loop every
/// framing shares: broken framing, a body cut mid-event and an event past the size bound become the gateway's errors.
struct FramedEventReader<Framing: StreamFraming> {
    private var body: UpstreamBodyReader
    private var framing: Framing

    /// The body ended in the middle of an event.
    struct CutShort: Error {}

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint, framing: Framing) {
        body = UpstreamBodyReader(answer, endpoint: endpoint)
        self.framing = framing
    }

    /// The next event; nil when the upstream ended the body cleanly between events.
    mutating func next() async throws -> Framing.Event? {
        while true {
            if let event = try decoded({ try $0.nextEvent() }) { return event }
            guard let bytes = try await body.read() else { return try decoded { try $0.finish() } }
            framing.feed(bytes)
            if framing.bufferedBytes > UpstreamBodyReader.maximumEventBytes { throw body.tooLarge() }
        }
    }

    mutating func drain() async throws { try await body.drain() }

    private mutating func decoded(_ step: (inout Framing) throws -> Framing.Event?) throws(GatewayError) -> Framing.Event? {
        do {
            return try step(&framing)
        } catch let error as GatewayError {
            throw error
        } catch is CutShort {
            throw body.cutShort()
        } catch {
            throw .upstreamUnavailable("Provider '\(body.endpoint.settings.name)' sent a malformed event stream: \(error).")
        }
    }
}

extension FramedEventReader: UpstreamEventReader {
    mutating func nextPayload() async throws -> ByteBuffer? { try await next().map(Framing.payload) }
}
