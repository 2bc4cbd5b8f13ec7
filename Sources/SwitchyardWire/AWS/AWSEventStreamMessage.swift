public import NIOCore

/// One message of the AWS event stream binary framing (`application/vnd.amazon.eventstream`).
public struct AWSEventStreamMessage: Sendable, Equatable {
    /// String-valued headers (`:event-type`, `:message-type`, `:exception-type`, `:content-type` ...).
    public var headers: [String: String]
    public var payload: ByteBuffer

    public init(headers: [String: String], payload: ByteBuffer) {
        self.headers = headers
        self.payload = payload
    }

    /// Writes the message in wire form (prelude, CRCs and all).
    public func encoded() -> ByteBuffer {
        var headerBytes = ByteBuffer()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            headerBytes.writeInteger(UInt8(name.utf8.count))
            headerBytes.writeString(name)
            headerBytes.writeInteger(UInt8(7))
            headerBytes.writeInteger(UInt16(value.utf8.count))
            headerBytes.writeString(value)
        }
        var output = ByteBuffer()
        output.writeInteger(UInt32(16 + headerBytes.readableBytes + payload.readableBytes))
        output.writeInteger(UInt32(headerBytes.readableBytes))
        output.writeInteger(CRC32.checksum(output.readableBytesView))
        output.writeImmutableBuffer(headerBytes)
        output.writeImmutableBuffer(payload)
        output.writeInteger(CRC32.checksum(output.readableBytesView))
        return output
    }
}

/// A malformed event stream: the connection cannot be trusted past it.
public struct AWSEventStreamError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
