import NIOCore
import SwitchyardWire

/// Server-Sent Events, each handed on as soon as its closing blank line arrives.
typealias ServerSentEventReader = FramedEventReader<ServerSentEventDecoder>

extension FramedEventReader where Framing == ServerSentEventDecoder {
    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        self.init(answer, endpoint: endpoint, framing: ServerSentEventDecoder())
    }
}

extension ServerSentEventDecoder: StreamFraming {
    mutating func nextEvent() -> ServerSentEvent? { next() }

    mutating func finish() throws -> ServerSentEvent? {
        if hasPartialEvent { throw FramedEventReader<Self>.CutShort() }
        return nil
    }

    static func payload(of event: ServerSentEvent) -> ByteBuffer { event.data }
}
