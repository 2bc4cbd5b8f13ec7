import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Newline-delimited JSON (Ollama's streaming), each line handed on as soon as it is complete.
struct NDJSONReader: UpstreamEventReader {
    private var body: UpstreamBodyReader
    private var pending = ByteBuffer()

    init(_ answer: UpstreamEndpoint.Answer, endpoint: UpstreamEndpoint) {
        body = UpstreamBodyReader(answer, endpoint: endpoint)
    }

    mutating func nextPayload() async throws -> ByteBuffer? {
        while true {
            if let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending.readSlice(length: newline - pending.readerIndex)!
                pending.moveReaderIndex(forwardBy: 1)
                if line.readableBytesView.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                return line
            }
            guard var bytes = try await body.read() else {
                guard pending.readableBytesView.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return nil }
                // A last line without its newline is still a whole JSON document.
                defer { pending.clear() }
                return pending.readSlice(length: pending.readableBytes)
            }
            pending.discardReadBytes()
            pending.writeBuffer(&bytes)
            if pending.readableBytes > UpstreamBodyReader.maximumEventBytes { throw body.tooLarge() }
        }
    }

    mutating func drain() async throws { try await body.drain() }
}
