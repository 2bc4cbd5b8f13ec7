public import NIOCore

/// Splits an AWS event stream into messages, however its bytes are split across reads, checking both CRCs.
public struct AWSEventStreamDecoder: Sendable {
    private var pending = ByteBuffer()
    /// Larger messages are refused rather than buffered.
    public static let maximumMessageLength = 16 << 20

    public init() {}

    public mutating func feed(_ bytes: ByteBuffer) {
        pending.discardReadBytes()
        pending.writeImmutableBuffer(bytes)
    }

    /// Whether bytes of an unfinished message are held.
    public var hasPartialMessage: Bool { pending.readableBytes > 0 }

    /// The next complete message, or nil when more bytes are needed.
    public mutating func next() throws(AWSEventStreamError) -> AWSEventStreamMessage? {
        guard pending.readableBytes >= 12,
            let totalLength = pending.getInteger(at: pending.readerIndex, as: UInt32.self).map(Int.init),
            let headersLength = pending.getInteger(at: pending.readerIndex + 4, as: UInt32.self).map(Int.init),
            let preludeCRC = pending.getInteger(at: pending.readerIndex + 8, as: UInt32.self)
        else { return nil }
        guard CRC32.checksum(pending.readableBytesView.prefix(8)) == preludeCRC else {
            throw AWSEventStreamError(description: "event stream prelude checksum mismatch")
        }
        guard totalLength >= 16 + headersLength, totalLength <= Self.maximumMessageLength else {
            throw AWSEventStreamError(description: "event stream message of \(totalLength) bytes is malformed or too large")
        }
        guard pending.readableBytes >= totalLength else { return nil }
        let messageCRC = pending.getInteger(at: pending.readerIndex + totalLength - 4, as: UInt32.self)!
        guard CRC32.checksum(pending.readableBytesView.prefix(totalLength - 4)) == messageCRC else {
            throw AWSEventStreamError(description: "event stream message checksum mismatch")
        }
        var message = pending.readSlice(length: totalLength)!
        message.moveReaderIndex(forwardBy: 12)
        var headerBytes = message.readSlice(length: headersLength)!
        let payload = message.readSlice(length: totalLength - 16 - headersLength)!
        return AWSEventStreamMessage(headers: try Self.headers(&headerBytes), payload: payload)
    }

    private static func headers(_ bytes: inout ByteBuffer) throws(AWSEventStreamError) -> [String: String] {
        var headers: [String: String] = [:]
        while bytes.readableBytes > 0 {
            guard let nameLength = bytes.readInteger(as: UInt8.self), let name = bytes.readString(length: Int(nameLength)),
                let type = bytes.readInteger(as: UInt8.self)
            else { throw AWSEventStreamError(description: "truncated event stream header") }
            let skip: Int
            switch type {
            case 0, 1: skip = 0
            case 2: skip = 1
            case 3: skip = 2
            case 4: skip = 4
            case 5, 8: skip = 8
            case 9: skip = 16
            case 6, 7:
                guard let length = bytes.readInteger(as: UInt16.self), let value = bytes.readSlice(length: Int(length)) else {
                    throw AWSEventStreamError(description: "truncated event stream header value")
                }
                if type == 7 { headers[name] = String(buffer: value) }
                continue
            default:
                throw AWSEventStreamError(description: "unknown event stream header type \(type)")
            }
            guard bytes.readableBytes >= skip else { throw AWSEventStreamError(description: "truncated event stream header value") }
            bytes.moveReaderIndex(forwardBy: skip)
        }
        return headers
    }
}
