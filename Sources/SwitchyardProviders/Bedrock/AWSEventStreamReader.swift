import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// Reads an AWS event stream, handing on each event as `{"<event type>": payload}`; an exception message
/// becomes the gateway's error.
struct AWSEventStreamReader: UpstreamEventReader {
    private var body: UpstreamBodyReader
    private var decoder = AWSEventStreamDecoder()

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        body = UpstreamBodyReader(answer, endpoint: endpoint)
    }

    mutating func nextPayload() async throws -> ByteBuffer? {
        while true {
            let message: AWSEventStreamMessage?
            do {
                message = try decoder.next()
            } catch {
                throw GatewayError.upstreamUnavailable("Provider '\(body.endpoint.settings.name)' sent a malformed event stream: \(error).")
            }
            if let message {
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
            guard let bytes = try await body.read() else {
                if decoder.hasPartialMessage { throw body.cutShort() }
                return nil
            }
            decoder.feed(bytes)
        }
    }

    mutating func drain() async throws { try await body.drain() }

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
