import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwitchyardCore

/// OpenAI's stream: `data: {chunk}` frames ending with `data: [DONE]`, errors as `data: {"error": ...}`.
struct OpenAIStreamEncoder: ClientStreamEncoder {
    func frames(for event: ChatStreamEvent) -> [ByteBuffer] {
        switch event {
        case .chunk(let data): [Self.frame(data)]
        case .done: [ByteBuffer(staticString: "data: [DONE]\n\n")]
        case .native: []  // only clients of another dialect are sent native events
        }
    }

    func closingFrames() -> [ByteBuffer] { [] }

    func errorFrame(_ error: GatewayError) -> ByteBuffer { Self.frame(OpenAIErrorRendering.body(for: error)) }

    static func frame(_ data: ByteBuffer) -> ByteBuffer {
        var frame = ByteBufferAllocator().buffer(capacity: data.readableBytes + 8)
        frame.writeStaticString("data: ")
        frame.writeImmutableBuffer(data)
        frame.writeStaticString("\n\n")
        return frame
    }
}
