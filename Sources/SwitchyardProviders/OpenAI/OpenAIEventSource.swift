import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Reads an OpenAI chat completion stream (`data: {chunk}` events ending with `data: [DONE]`) event by event.
struct OpenAIEventSource: ChatEventSource {
    var reader: ServerSentEventReader
    var sawDone = false

    mutating func next() async throws -> ChatStreamEvent? {
        if sawDone {
            try await reader.drain()
            return nil
        }
        guard let event = try await reader.next() else { return nil }
        if event.isDoneMarker {
            sawDone = true
            return .done
        }
        if let error = Self.streamedError(event.data) { throw error }
        return .chunk(event.data)
    }

    /// An `{"error": {...}}` object sent in place of a chunk: the upstream failed mid-stream.
    static func streamedError(_ data: ByteBuffer) -> GatewayError? {
        // Most events are chunks: those that cannot hold an `error` member are not scanned for one.
        guard TopLevelJSON.mightHaveMember("error", in: data), let document = try? TopLevelJSON(scanning: data),
            let member = document.member("error"), document.member("choices") == nil,
            let error = try? JSONValue(decoding: document.slice(member))
        else { return nil }
        let status = error["code"]?.int.flatMap { (400...599).contains($0) ? $0 : nil } ?? 502
        var gatewayError = GatewayError(
            status: status, kind: GatewayError.kind(forStatus: status), code: error["code"]?.string ?? error["type"]?.string,
            message: error["message"]?.string ?? error.string ?? "The upstream failed mid-stream.")
        gatewayError.upstreamType = error["type"]?.string
        return gatewayError
    }
}
