import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import SwitchyardGateway

/// Writes a connection's responses into its channel pipeline, from the connection's event loop.
struct ResponseOutput: Sendable {
    let loop: any EventLoop
    let assembler: NIOLoopBound<HTTPRequestAssembler>

    /// Writes `response`, head and body; closes the connection after it unless the request keeps it open.
    func send(_ response: Response, answering inbound: InboundHTTPRequest) async throws {
        var head = response.head
        if !inbound.keepAlive {
            if inbound.version.minor > 0 { head.headerFields.append(HTTPField(name: .connection, value: "close")) }
        } else if inbound.version.minor == 0 {
            head.headerFields.append(HTTPField(name: .connection, value: "keep-alive"))
        }
        // A streamed body's head leaves at once, so the client sees the status before the first event; a whole
        // body's head leaves with it.
        let streamed = response.body.contentLength == nil
        let part = ResponsePart.head(head, version: inbound.version, bodyless: inbound.bodyless)
        try await perform { try $0.write(part, flush: streamed) }
        try await response.body.write(ChannelBodyWriter(output: self))
        if !inbound.keepAlive { close() }
    }

    func writeBody(_ buffer: ByteBuffer) async throws {
        try await perform { try $0.write(.body(buffer), flush: true) }
        // A slow client holds the writer here rather than the gateway buffering for it.
        if let writable = try await perform({ $0.writable() }) { try await writable.get() }
    }

    func end(_ trailers: HTTPFields?) async throws {
        try await perform { try $0.write(.end(trailers), flush: true) }
    }

    func close() {
        if loop.inEventLoop {
            assembler.value.close()
        } else {
            let assembler = assembler
            loop.execute { assembler.value.close() }
        }
    }

    /// Runs `body` with the assembler on the loop: at once when already there, which is where the connection's task
    /// runs.
    private func perform<Value: Sendable>(_ body: @escaping @Sendable (HTTPRequestAssembler) throws -> Value) async throws -> Value {
        if loop.inEventLoop { return try body(assembler.value) }
        let assembler = assembler
        return try await loop.submit { try body(assembler.value) }.get()
    }
}
