import NIOCore
import SwitchyardCore
import SwitchyardWire

/// AWS event-stream framing: each event handed on as `{"<event type>": payload}`; an exception message becomes the
/// gateway's error.
struct AWSEventStreamFraming: StreamFraming {
    private var decoder = AWSEventStreamDecoder()

    mutating func feed(_ bytes: ByteBuffer) { decoder.feed(bytes) }

    /// The decoder holds at most one message's bytes (it refuses a longer one), so it needs no second bound.
    var bufferedBytes: Int { 0 }

    mutating func nextEvent() throws -> ByteBuffer? {
        guard let message = try decoder.next() else { return nil }
        if message.headers[":message-type"] == "exception" || message.headers[":message-type"] == "error" {
            throw Self.error(message)
        }
        let type = message.headers[":event-type"] ?? "unknown"
        var wrapped = ByteBuffer(string: "{")
        wrapped.writeBytes(JSONString.quoted(type))
        wrapped.writeStaticString(":")
        wrapped.writeImmutableBuffer(message.payload.readableBytes == 0 ? ByteBuffer(string: "{}") : message.payload)
        wrapped.writeStaticString("}")
        return wrapped
    }

    func finish() throws -> ByteBuffer? {
        if decoder.hasPartialMessage { throw FramedEventReader<Self>.CutShort() }
        return nil
    }

    static func payload(of event: ByteBuffer) -> ByteBuffer { event }

    /// Bedrock's exception types as the gateway's errors.
    static func error(_ message: AWSEventStreamMessage) -> GatewayError {
        let type = message.headers[":exception-type"] ?? message.headers[":error-code"] ?? "internalServerException"
        let text = (try? JSONValue(decoding: message.payload))?["message"]?.string ?? message.headers[":error-message"] ?? type
        let status: Int
        switch type {
        case "throttlingException": status = 429
        case "validationException": status = 400
        case "serviceUnavailableException": status = 503
        case "modelTimeoutException": status = 504
        default: status = 500
        }
        var error = GatewayError(status: status, kind: GatewayError.kind(forStatus: status), code: type, message: text)
        error.upstreamType = type
        return error
    }
}

/// Bedrock's `converse-stream` answer, event by event.
typealias AWSEventStreamReader = FramedEventReader<AWSEventStreamFraming>

extension FramedEventReader where Framing == AWSEventStreamFraming {
    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        self.init(answer, endpoint: endpoint, framing: AWSEventStreamFraming())
    }
}
