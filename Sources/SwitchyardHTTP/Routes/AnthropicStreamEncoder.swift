import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardWire

/// Anthropic's stream: `event: <type>` / `data: {...}` frames, errors as an `error` event.
struct AnthropicStreamEncoder: ClientStreamEncoder {
    func frames(for event: ChatStreamEvent) -> [ByteBuffer] {
        guard case .native(let event) = event else { return [] }  // the Messages service sends its events only
        return [event.encoded]
    }

    func closingFrames() -> [ByteBuffer] { [] }

    func errorFrame(_ error: GatewayError) -> ByteBuffer {
        ServerSentEvent(event: "error", data: AnthropicErrorRendering.body(for: error)).encoded
    }
}
