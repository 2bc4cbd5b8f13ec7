import NIOCore
import NIOHTTP1

/// An upstream request as the bytes that go on the wire: request line, fields, `Host` and `Content-Length` where
/// missing, then the body, in one buffer sized for it.
///
/// Encoding happens once, in the calling task, before a connection is chosen; the connection then writes one
/// buffer. Fields are checked as NIO's validator would: a name must be a token and a value must not hold CR, LF
/// or NUL, so a misconfigured value can never split the request.
enum UpstreamRequestWire {
    static func encode(
        method: HTTPMethod, target: String, headers: HTTPHeaders, host: String, body: ByteBuffer?
    ) throws(UpstreamTransportError) -> ByteBuffer {
        var size = method.rawValue.utf8.count + target.utf8.count + host.utf8.count + 48 + (body?.readableBytes ?? 0)
        for (name, value) in headers { size += name.utf8.count + value.utf8.count + 4 }
        var wire = ByteBufferAllocator().buffer(capacity: size)
        wire.writeString(method.rawValue)
        wire.writeInteger(UInt8(ascii: " "))
        wire.writeString(target)
        wire.writeStaticString(" HTTP/1.1\r\n")
        var hasHost = false
        for (name, value) in headers {
            guard isToken(name), isFieldValue(value) else { throw .invalidHeader(name) }
            if name.utf8.count == 4, name.lowercased() == "host" {
                hasHost = true
            } else if name.utf8.count == 14, name.lowercased() == "content-length" {
                // The body's own length is the one sent.
                continue
            }
            writeField(name, value, into: &wire)
        }
        if !hasHost { writeField("host", host, into: &wire) }
        if let body {
            wire.writeStaticString("content-length: ")
            wire.writeString(String(body.readableBytes))
            wire.writeStaticString("\r\n\r\n")
            wire.writeImmutableBuffer(body)
        } else if method == .POST || method == .PUT || method == .PATCH {
            wire.writeStaticString("content-length: 0\r\n\r\n")
        } else {
            wire.writeStaticString("\r\n")
        }
        return wire
    }

    private static func writeField(_ name: String, _ value: String, into wire: inout ByteBuffer) {
        wire.writeString(name)
        wire.writeStaticString(": ")
        wire.writeString(value)
        wire.writeStaticString("\r\n")
    }

    /// RFC 9110's `token`: visible ASCII other than the separators.
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenByte)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: "/"), UInt8(ascii: ":"),
            UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "?"), UInt8(ascii: "@"),
            UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            false
        default:
            byte > 0x20 && byte < 0x7F
        }
    }

    /// A field value holds no CR, LF or NUL.
    static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 != 0x0D && $0 != 0x0A && $0 != 0x00 }
    }
}
