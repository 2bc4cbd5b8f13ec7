import NIOCore
import SwitchyardWire
import Testing

@Suite("Server-Sent Events decoding")
struct ServerSentEventDecoderTests {
    static let stream = "data: {\"a\":1}\n\n: keep-alive comment\n\nevent: message_start\ndata: {\"b\":\ndata: 2}\n\nid: 7\r\ndata: third\r\n\r\ndata: fourth\r\rdata: [DONE]\n\n"

    static func decode(_ pieces: [String]) -> [ServerSentEvent] {
        var decoder = ServerSentEventDecoder()
        var events: [ServerSentEvent] = []
        for piece in pieces {
            decoder.feed(ByteBuffer(string: piece))
            while let event = decoder.next() { events.append(event) }
        }
        return events
    }

    @Test("fields, multi-line data, comments and every line ending")
    func decodesWholeStream() {
        let events = Self.decode([Self.stream])
        #expect(events.map { String(buffer: $0.data) } == [#"{"a":1}"#, "{\"b\":\n2}", "third", "fourth", "[DONE]"])
        #expect(events[1].event == "message_start")
        #expect(events[2].id == "7")
        #expect(events.last?.isDoneMarker == true)
    }

    @Test("the same events whatever the split, at every byte")
    func everySplit() {
        let expected = Self.decode([Self.stream])
        let bytes = Array(Self.stream.utf8)
        for split in 1..<bytes.count {
            let first = String(decoding: bytes[..<split], as: UTF8.self)
            let second = String(decoding: bytes[split...], as: UTF8.self)
            #expect(Self.decode([first, second]) == expected, "split at \(split)")
        }
        #expect(Self.decode(bytes.map { String(UnicodeScalar($0)) }) == expected)
    }

    @Test("an event is not complete until its blank line")
    func incomplete() {
        var decoder = ServerSentEventDecoder()
        decoder.feed(ByteBuffer(string: "data: partial\n"))
        #expect(decoder.next() == nil)
        #expect(decoder.hasPartialEvent)
        decoder.feed(ByteBuffer(string: "\n"))
        #expect(decoder.next().map { String(buffer: $0.data) } == "partial")
    }

    @Test("encoding round-trips")
    func roundTrip() {
        let event = ServerSentEvent(event: "delta", data: ByteBuffer(string: "line one\nline two"), id: "9")
        #expect(String(buffer: event.encoded) == "event: delta\nid: 9\ndata: line one\ndata: line two\n\n")
        #expect(Self.decode([String(buffer: event.encoded)]) == [event])
    }
}
