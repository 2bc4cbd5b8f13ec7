import NIOCore

/// Newline-delimited JSON (Ollama's streaming), each line handed on as soon as it is complete; blank lines are
/// skipped, and a last line without its newline is still a whole document.
struct NDJSONFraming: StreamFraming {
    private var pending = ByteBuffer()

    mutating func feed(_ bytes: ByteBuffer) {
        pending.discardReadBytes()
        pending.writeImmutableBuffer(bytes)
    }

    var bufferedBytes: Int { pending.readableBytes }

    mutating func nextEvent() -> ByteBuffer? {
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending.readSlice(length: newline - pending.readerIndex)
            pending.moveReaderIndex(forwardBy: 1)
            if let line, !Self.isBlank(line) { return line }
        }
        return nil
    }

    mutating func finish() -> ByteBuffer? {
        defer { pending.clear() }
        return Self.isBlank(pending) ? nil : pending.readSlice(length: pending.readableBytes)
    }

    static func payload(of event: ByteBuffer) -> ByteBuffer { event }

    private static func isBlank(_ line: ByteBuffer) -> Bool {
        line.readableBytesView.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }
    }
}

/// Ollama's stream, line by line.
typealias NDJSONReader = FramedEventReader<NDJSONFraming>

extension FramedEventReader where Framing == NDJSONFraming {
    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        self.init(answer, endpoint: endpoint, framing: NDJSONFraming())
    }
}
