import HTTPTypes
import NIOCore
import NIOHTTP1

/// A part of a response on its way to the client.
enum ResponsePart {
    /// The status line and fields. `bodyless` answers a request whose response has no body whatever its fields
    /// say (`HEAD`): its fields are sent as they are and its body parts are dropped.
    case head(HTTPResponse, version: HTTPVersion, bodyless: Bool)
    case body(ByteBuffer)
    case end(HTTPFields?)
}

/// Writes responses on HTTP/1.x straight from their `HTTPResponse`: one buffer per head, sized for it, with the
/// body framed by its `content-length` when it has one and chunked otherwise (HTTP/1.1; on HTTP/1.0 the closing
/// connection ends it).
///
/// This takes the place of NIO's `HTTPResponseEncoder`, which needs the fields copied into `HTTPHeaders` first
/// and searches them again to frame the body.
final class HTTP1ResponseEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ResponsePart
    typealias OutboundOut = IOData

    enum Framing {
        case none
        case chunked
        /// Nothing of the body is sent: the response to a `HEAD`, or a status that has no body.
        case dropped
    }

    private var framing = Framing.none
    private static let crlf = ByteBuffer(staticString: "\r\n")

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response, let version, let bodyless):
            var buffer = context.channel.allocator.buffer(capacity: Self.estimatedSize(of: response))
            framing = Self.writeHead(response, version: version, bodyless: bodyless, into: &buffer)
            context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
        case .body(let body):
            switch framing {
            case .none:
                context.write(wrapOutboundOut(.byteBuffer(body)), promise: promise)
            case .chunked where body.readableBytes > 0:
                // An empty chunk would end the body, so one is never framed.
                var size = context.channel.allocator.buffer(capacity: 18)
                size.writeString(String(body.readableBytes, radix: 16))
                size.writeStaticString("\r\n")
                context.write(wrapOutboundOut(.byteBuffer(size)), promise: nil)
                context.write(wrapOutboundOut(.byteBuffer(body)), promise: nil)
                context.write(wrapOutboundOut(.byteBuffer(Self.crlf)), promise: promise)
            case .chunked, .dropped:
                promise?.succeed()
            }
        case .end(let trailers):
            guard case .chunked = framing else {
                promise?.succeed()
                return
            }
            var last = context.channel.allocator.buffer(capacity: 5)
            last.writeStaticString("0\r\n")
            if let trailers { Self.writeFields(trailers, into: &last) }
            last.writeStaticString("\r\n")
            context.write(wrapOutboundOut(.byteBuffer(last)), promise: promise)
        }
    }

    /// Writes the status line and fields, adding `transfer-encoding: chunked` where the body needs framing;
    /// returns how the body is to be written.
    static func writeHead(_ response: HTTPResponse, version: HTTPVersion, bodyless: Bool, into buffer: inout ByteBuffer) -> Framing {
        buffer.writeStaticString(version.minor == 0 && version.major == 1 ? "HTTP/1.0 " : "HTTP/1.1 ")
        let code = response.status.code
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 100 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code % 10))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(response.status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        // 1xx, 204 and 304 responses never carry a body, nor the fields that would frame one.
        let statusHasBody = !(100..<200).contains(code) && code != 204 && code != 304
        var hasLength = false
        for field in response.headerFields {
            if field.name == .contentLength {
                guard statusHasBody else { continue }
                hasLength = true
            } else if field.name == .transferEncoding {
                // The framing is this encoder's to choose.
                continue
            }
            writeField(field, into: &buffer)
        }
        let framing: Framing
        if bodyless || !statusHasBody {
            framing = .dropped
        } else if !hasLength && version.major == 1 && version.minor >= 1 {
            buffer.writeStaticString("transfer-encoding: chunked\r\n")
            framing = .chunked
        } else {
            framing = .none
        }
        buffer.writeStaticString("\r\n")
        return framing
    }

    private static func writeFields(_ fields: HTTPFields, into buffer: inout ByteBuffer) {
        for field in fields { writeField(field, into: &buffer) }
    }

    private static func writeField(_ field: HTTPField, into buffer: inout ByteBuffer) {
        buffer.writeString(field.name.rawName)
        buffer.writeStaticString(": ")
        buffer.writeString(field.value)
        buffer.writeStaticString("\r\n")
    }

    /// Room for the head in one allocation: its fields with their separators, and the status line.
    private static func estimatedSize(of response: HTTPResponse) -> Int {
        var size = 64
        for field in response.headerFields { size += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        return size
    }
}
