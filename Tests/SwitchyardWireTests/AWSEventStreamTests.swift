import NIOCore
import SwitchyardWire
import Testing

@Suite("AWS event stream framing")
struct AWSEventStreamTests {
    @Test("CRC-32 matches the standard check value")
    func crc() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("messages decode however the bytes are split")
    func splits() throws {
        let messages = [
            AWSEventStreamMessage(headers: [":event-type": "messageStart", ":message-type": "event", ":content-type": "application/json"], payload: ByteBuffer(string: #"{"role":"assistant"}"#)),
            AWSEventStreamMessage(headers: [":event-type": "contentBlockDelta", ":message-type": "event"], payload: ByteBuffer(string: #"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#)),
        ]
        var stream = ByteBuffer()
        for message in messages { stream.writeImmutableBuffer(message.encoded()) }
        let bytes = Array(stream.readableBytesView)
        for split in 1..<bytes.count {
            var decoder = AWSEventStreamDecoder()
            var decoded: [AWSEventStreamMessage] = []
            for piece in [bytes[..<split], bytes[split...]] {
                decoder.feed(ByteBuffer(bytes: piece))
                while let message = try decoder.next() { decoded.append(message) }
            }
            #expect(decoded == messages, "split at \(split)")
        }
    }

    @Test("a corrupted message is refused")
    func corruption() {
        var bytes = Array(AWSEventStreamMessage(headers: [":event-type": "x"], payload: ByteBuffer(string: "{}")).encoded().readableBytesView)
        bytes[bytes.count - 6] ^= 0xFF
        var decoder = AWSEventStreamDecoder()
        decoder.feed(ByteBuffer(bytes: bytes))
        #expect(throws: AWSEventStreamError.self) { try decoder.next() }
    }
}
