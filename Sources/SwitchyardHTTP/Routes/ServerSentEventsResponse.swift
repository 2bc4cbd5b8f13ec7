import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Logging
import NIOCore
import SwitchyardCore

/// Writes a chat event stream to the client as Server-Sent Events, each event as soon as it arrives.
///
/// The relay runs cancelled when the client's connection closes, which drops the upstream request with it. A
/// failure after the first event cannot change the status any more, so it is sent as a final `data:` event in the
/// OpenAI error shape, which the OpenAI SDKs raise as an error.
enum ServerSentEventsResponse {
    static func make(_ events: ChatEventStream, channel: any Channel, logger: Logger) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/event-stream",
            .cacheControl: "no-cache",
            HTTPField.Name("x-accel-buffering")!: "no",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await ClientConnection.cancellingOnClose(channel) {
                    try await relay(events, to: &writer, logger: logger)
                }
                try await writer.finish(nil)
            })
    }

    private static func relay(_ events: ChatEventStream, to writer: inout any ResponseBodyWriter, logger: Logger) async throws {
        var iterator = events.makeAsyncIterator()
        do {
            while let event = try await iterator.next() {
                switch event {
                case .chunk(let data):
                    var frame = ByteBufferAllocator().buffer(capacity: data.readableBytes + 8)
                    frame.writeStaticString("data: ")
                    frame.writeImmutableBuffer(data)
                    frame.writeStaticString("\n\n")
                    try await writer.write(frame)
                case .done:
                    try await writer.write(ByteBuffer(staticString: "data: [DONE]\n\n"))
                }
            }
        } catch let error as GatewayError {
            logger.warning("stream ended by upstream failure", metadata: ["error": "\(error.message)"])
            var frame = ByteBuffer(staticString: "data: ")
            frame.writeImmutableBuffer(OpenAIErrorRendering.body(for: error))
            frame.writeStaticString("\n\n")
            try await writer.write(frame)
        }
    }
}
