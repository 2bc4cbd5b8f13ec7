import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import NIOCore
import SwitchyardTesting
import Testing

@Suite("Bad input never crashes or hangs the gateway")
struct RobustnessTests {
    @Test("invalid bodies get 400 naming the problem", arguments: [
        ("{\"model\": \"chat\", \"messages\": [", "not valid JSON"),
        ("[1, 2, 3]", "must be a JSON object"),
        ("", "empty"),
        (#"{"messages":[{"role":"user","content":"hi"}]}"#, "'model' is required"),
        (#"{"model":42,"messages":[{"role":"user","content":"hi"}]}"#, "'model' must be a string, got a number"),
        (#"{"model":"chat"}"#, "'messages' is required"),
        (#"{"model":"chat","messages":"hello"}"#, "'messages' must be an array, got a string"),
        (#"{"model":"chat","messages":[]}"#, "'messages' must contain at least one message"),
        (#"{"model":"chat","messages":[{"role":"user","content":"hi"}],"stream":"yes"}"#, "'stream' must be a boolean"),
        (#"{"model":"chat","messages":[{"role":"user","content":"hi"}],"stream_options":true}"#, "'stream_options' must be an object"),
        (#"{"model":"chat","messages":[{"role":"user","content":"\u12"}]}"#, "not valid JSON"),
    ])
    func invalidBodies(body: String, expected: String) async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let reply = try await gateway.request("/v1/chat/completions", body: body)
            #expect(reply.status == 400)
            #expect(reply.errorMessage.contains(expected), "\(reply.errorMessage)")
            #expect((reply.json["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
        }
    }

    @Test("an unknown model gets 404 in the OpenAI shape")
    func unknownModel() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let reply = try await gateway.request("/v1/chat/completions", body: chatBody(model: "gpt-9"))
            #expect(reply.status == 404)
            #expect(reply.errorCode == "model_not_found")
            #expect(reply.errorMessage.contains("gpt-9"))
        }
    }

    @Test("bodies over max_body_bytes get 413, declared or streamed (from the data-plane table and through the router)", arguments: [
        "/v1/chat/completions", "/v1/chat/completions/",
    ])
    func bodyLimit(path: String) async throws {
        let yaml = "server:\n  max_body_bytes: 1000\n" + GatewayHarness.singleModel
        try await GatewayHarness.withGateway(yaml: yaml) { gateway in
            let big = chatBody(extra: #","padding":""# + String(repeating: "x", count: 5000) + "\"")
            let declared = try await gateway.request(path, body: big)
            #expect(declared.status == 413)
            #expect(declared.errorCode == "body_too_large")

            // Chunked, with no Content-Length: refused while streaming in, before the client finishes sending.
            var request = HTTPClientRequest(url: gateway.baseURL + path)
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer \(GatewayHarness.masterKey)")
            let pieces = (0..<50).map { _ in ByteBuffer(string: String(repeating: "y", count: 1000)) }
            request.body = .stream(
                AsyncStream { continuation in
                    for piece in pieces { continuation.yield(piece) }
                    continuation.finish()
                }, length: .unknown)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 413)

            #expect(try await gateway.request(path, body: #"{"model":"nope","messages":[1]}"#).status == 404)
        }
    }

    @Test("hundreds of garbage requests, then a valid one succeeds")
    func garbage() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                var generator = SystemRandomNumberGenerator()
                let fragments = ["{", "}", "[", "]", "\"", ":", ",", "model", "messages", "chat", "null", "true", "1e999", "-", "\\u", "\u{0}", "é", " "]
                for index in 0..<300 {
                    let body = (0..<Int.random(in: 0...40, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
                    let path = ["/v1/chat/completions", "/v1/embeddings", "/v1/models", "/v1/models/%00", "/../etc/passwd"][index % 5]
                    let reply = try await gateway.request(index % 7 == 0 ? .PUT : .POST, path, body: body)
                    #expect((400..<500).contains(reply.status), "\(path) \(body) → \(reply.status)")
                }
                // Raw garbage below HTTP.
                for junk in ["GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "\u{16}\u{03}\u{01}\u{02}\u{00}"] {
                    try await RawConnection.with(port: gateway.port) { writer, inbound in
                        try await writer.write(ByteBuffer(string: junk))
                        _ = try? await RawConnection.readUntilClosed(&inbound, limit: .seconds(3))
                    }
                }
                let valid = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(valid.status == 200)
                #expect(valid.json["model"] as? String == "chat")
            }
        }
    }

    @Test("HTTP/1 framing: a request that cannot be parsed gets 400, a HEAD answer has no body, HTTP/1.0 gets 1.0")
    func framing() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let garbage = try await RawConnection.with(port: gateway.port) { writer, inbound in
                try await writer.write(ByteBuffer(string: "GARBAGE\r\n\r\n"))
                return try await RawConnection.readUntilClosed(&inbound)
            }
            #expect(garbage.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(garbage.text.lowercased().contains("connection: close\r\n"))
            #expect(garbage.closedAfter < .seconds(5))

            // The answer to a HEAD runs straight into the next response: no body, whatever its fields say.
            let head = try await RawConnection.with(port: gateway.port) { writer, inbound in
                try await writer.write(
                    ByteBuffer(string: "HEAD /v1/models HTTP/1.1\r\nHost: x\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                return try await RawConnection.readUntilClosed(&inbound).text
            }
            let answers = head.components(separatedBy: "\r\n\r\n")
            #expect(answers.count >= 3)
            #expect(answers.first?.hasPrefix("HTTP/1.1 ") == true)
            #expect(answers.dropFirst().first?.hasPrefix("HTTP/1.1 200 OK\r\n") == true, "\(head)")

            let old = try await RawConnection.with(port: gateway.port) { writer, inbound in
                try await writer.write(ByteBuffer(string: "GET /health/live HTTP/1.0\r\n\r\n"))
                return try await RawConnection.readUntilClosed(&inbound)
            }
            #expect(old.text.hasPrefix("HTTP/1.0 200 OK\r\n"))
            #expect(!old.text.lowercased().contains("transfer-encoding"))
            #expect(old.closedAfter < .seconds(5))
        }
    }

    @Test("slow-loris clients are disconnected: trickled head, stalled body")
    func slowClients() async throws {
        let yaml = "server:\n  request_head_timeout_seconds: 1\n  request_body_timeout_seconds: 1\n" + GatewayHarness.singleModel
        try await GatewayHarness.withGateway(yaml: yaml) { gateway in
            let head = try await RawConnection.with(port: gateway.port) { writer, inbound in
                try await writer.write(ByteBuffer(string: "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"))
                return try await RawConnection.readUntilClosed(&inbound)
            }
            #expect(head.closedAfter < .seconds(4))
            let body = try await RawConnection.with(port: gateway.port) { writer, inbound in
                try await writer.write(ByteBuffer(string: "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nAuthorization: Bearer \(GatewayHarness.masterKey)\r\n\r\n{\"model\""))
                return try await RawConnection.readUntilClosed(&inbound)
            }
            #expect(body.closedAfter < .seconds(4))
            #expect(try await gateway.request(.GET, "/health/live").status == 200)
        }
    }

    @Test("pipelined requests are all answered, in order, and the connection closes when asked")
    func pipelining() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "hi")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = chatBody()
                let chat = RawConnection.chatRequestHead(body: body) + body
                // More than the gateway queues before it stops reading, sent in one write.
                let count = 24
                let probe = "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                let answer = try await RawConnection.with(port: gateway.port) { writer, inbound in
                    try await writer.write(ByteBuffer(string: String(repeating: chat, count: count)))
                    var text = ""
                    while text.components(separatedBy: "HTTP/1.1 ").count - 1 < count, let part = try await inbound.next(isolation: #isolation) {
                        text += String(buffer: part)
                    }
                    // Reading resumed once the answers caught up: the same connection takes one more request.
                    try await writer.write(ByteBuffer(string: probe))
                    let rest = try await RawConnection.readUntilClosed(&inbound)
                    return (text: text + rest.text, closedAfter: rest.closedAfter)
                }
                #expect(answer.closedAfter < .seconds(5))
                // A response's body runs straight into the next status line.
                #expect(answer.text.components(separatedBy: "HTTP/1.1 ").count - 1 == count + 1)
                #expect(answer.text.components(separatedBy: "HTTP/1.1 200 OK\r\n").count - 1 == count + 1)
                #expect(answer.text.components(separatedBy: #""content":"hi""#).count - 1 == count)
                #expect(upstream.requests.count == count)
            }
        }
    }

    @Test("a client that sends Expect: 100-continue is told to continue before it sends its body")
    func expectContinue() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "hi")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let body = chatBody()
                let head = RawConnection.chatRequestHead(body: body, extraHeaders: "Expect: 100-continue\r\nConnection: close\r\n")
                let answer = try await RawConnection.with(port: gateway.port) { writer, inbound in
                    try await writer.write(ByteBuffer(string: head))
                    var interim = ""
                    while !interim.contains("\r\n\r\n"), let part = try await inbound.next(isolation: #isolation) { interim += String(buffer: part) }
                    try await writer.write(ByteBuffer(string: body))
                    return (interim, try await RawConnection.readUntilClosed(&inbound).text)
                }
                #expect(answer.0.hasPrefix("HTTP/1.1 100 Continue\r\n"))
                #expect(answer.1.contains("HTTP/1.1 200 OK\r\n") || (answer.0 + answer.1).contains("HTTP/1.1 200 OK\r\n"))
                #expect((answer.0 + answer.1).contains(#""content":"hi""#))
            }
        }
    }

    @Test("graceful shutdown lets an in-flight stream finish")
    func gracefulShutdown() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b", "c"])
        let upstream = UpstreamDouble { _ in .events(chunks.map { .data($0, after: .milliseconds(300)) } + [.done]) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                var shutdownStarted = false
                let (status, _, text) = try await gateway.stream(body: chatBody(stream: true)) { _, _ in
                    if !shutdownStarted {
                        shutdownStarted = true
                        await gateway.server?.shutdown()
                    }
                    return true
                }
                #expect(status == 200)
                #expect(sseData(text).count == chunks.count + 1)
                #expect(sseData(text).last == "[DONE]")
            }
        }
    }
}

@Suite("Hostile or broken upstreams")
struct HostileUpstreamTests {
    @Test("absurd Retry-After values neither crash nor stall the gateway")
    func absurdRetryAfter() async throws {
        let calls = Counter()
        let upstream = UpstreamDouble { _ in
            let values = ["inf", "1e300", "-5", "nan"]
            let value = values[(calls.increment() - 1) % values.count]
            return .json(status: 429, OpenAIWireSamples.error("slow down", type: "requests", code: nil), headers: [("retry-after", value), ("retry-after-ms", "99999999999999999999")])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                for _ in 0..<4 {
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                    #expect(reply.status == 429)
                    #expect(Int(reply.headers.first(name: "retry-after") ?? "") ?? 0 <= 86_400)
                }
            }
        }
    }

    @Test("an error object inside an OpenAI stream ends the stream as an error, in either client dialect")
    func errorInsideStream() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a"])
        // A key spelled with an escape is still the key; a chunk whose text says "error" is still a chunk.
        let escaped = #"{"\u0065rror":{"message":"The server had an error while processing your request.","type":"server_error"}}"#
        let talkative = chunks[1].replacingOccurrences(of: #""content":"a""#, with: #""content":"error""#)
        let upstream = UpstreamDouble { request in
            if request.text.contains("escaped") { return .events([.data(talkative), .data(escaped)]) }
            return .events([.data(chunks[0]), .data(#"{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#)])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let (_, _, openAI) = try await gateway.stream(body: chatBody(stream: true))
                #expect(sseData(openAI).last?.contains("The server had an error") == true)
                let (_, _, spelled) = try await gateway.stream(body: chatBody(stream: true, extra: #","user":"escaped""#))
                #expect(sseData(spelled).count == 2)
                #expect(sseData(spelled).first?.contains(#""content":"error""#) == true)
                #expect(sseData(spelled).last?.hasPrefix(#"{"error":{"message":"The server had an error"#) == true)
                let (_, _, anthropic) = try await gateway.stream("/v1/messages", body: #"{"model":"chat","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
                let events = MessagesAPITests.events(anthropic)
                #expect(events.last?.name == "error")
                #expect(!events.map(\.name).contains("message_stop"))
            }
        }
    }

    @Test("a Messages body Foundation cannot decode gets 400, not 500")
    func loneSurrogate() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let reply = try await gateway.request("/v1/messages", body: #"{"model":"chat","max_tokens":5,"messages":[{"role":"user","content":"\ud83d"}]}"#)
            #expect(reply.status == 400)
        }
    }
}
