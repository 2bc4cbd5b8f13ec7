public import NIOCore

/// One Server-Sent Event (the `text/event-stream` format of the HTML Living Standard).
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field, if any.
    public var event: String?
    /// The `data:` lines joined with line feeds.
    public var data: ByteBuffer
    /// The `id:` field, if any.
    public var id: String?

    public init(event: String? = nil, data: ByteBuffer, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// Whether the data is the OpenAI end-of-stream marker `[DONE]`.
    public var isDoneMarker: Bool {
        data.readableBytesView.elementsEqual("[DONE]".utf8)
    }

    /// Writes the event in wire form, ending with the blank line that dispatches it.
    public func write(into output: inout ByteBuffer) {
        if let event {
            output.writeStaticString("event: ")
            output.writeString(event)
            output.writeInteger(UInt8(ascii: "\n"))
        }
        if let id {
            output.writeStaticString("id: ")
            output.writeString(id)
            output.writeInteger(UInt8(ascii: "\n"))
        }
        var remaining = data.readableBytesView[...]
        repeat {
            let line = remaining.firstIndex(of: UInt8(ascii: "\n")).map { remaining[..<$0] } ?? remaining
            output.writeStaticString("data: ")
            output.writeBytes(line)
            output.writeInteger(UInt8(ascii: "\n"))
            remaining = line.endIndex < remaining.endIndex ? remaining[(line.endIndex + 1)...] : remaining[remaining.endIndex...]
        } while !remaining.isEmpty
        output.writeInteger(UInt8(ascii: "\n"))
    }

    /// The event in wire form.
    public var encoded: ByteBuffer {
        var output = ByteBufferAllocator().buffer(capacity: data.readableBytes + 16)
        write(into: &output)
        return output
    }
}
