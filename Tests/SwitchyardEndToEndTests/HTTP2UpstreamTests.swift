import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

/// A configuration with one provider `up` at `base` and one model `chat` served by `up-model`.
private func tlsProviderYAML(base: String, http2: Bool, caFile: String?) -> String {
    var lines = [
        "providers:",
        "  - name: up",
        "    type: openai",
        "    base_url: \(base)",
        "    api_key: sk-upstream-key",
        "    http2: \(http2)",
    ]
    if let caFile { lines.append("    ca_file: '\(caFile)'") }
    lines += [
        "models:",
        "  - name: chat",
        "    targets:",
        "      - provider: up",
        "        model: up-model",
        "        price: {input: 1, output: 2}",
    ]
    return lines.joined(separator: "\n")
}

@Suite("HTTP/2 and private certificate authorities toward upstreams")
struct HTTP2UpstreamTests {
    @Test("a chat completion through an http2 provider reaches the upstream over HTTP/2 and comes back whole")
    func chatCompletion() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Hello over h2")) }
        try await upstream.runTLS { base, caFile in
            try await GatewayHarness.withGateway(yaml: tlsProviderYAML(base: base, http2: true, caFile: caFile), upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.json["model"] as? String == "chat")
                let message = (reply.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
                #expect(message?["content"] as? String == "Hello over h2")

                #expect(upstream.requests.count == 1)
                let received = try #require(upstream.requests.first)
                #expect(received.httpVersion == "HTTP/2")
                #expect(received.path == "/v1/chat/completions")
                #expect(received.model == "up-model")
                #expect(received.headers[.authorization] == "Bearer sk-upstream-key")
            }
        }
    }

    @Test("a stream through an http2 provider is relayed event by event over HTTP/2, ending with [DONE]")
    func stream() async throws {
        let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Hel", "lo", " h2"], includeUsage: true)
        let upstream = UpstreamDouble { _ in .events(chunks.map { .data($0) } + [.done]) }
        try await upstream.runTLS { base, caFile in
            try await GatewayHarness.withGateway(yaml: tlsProviderYAML(base: base, http2: true, caFile: caFile), upstream: base) { gateway in
                let (status, headers, text) = try await gateway.stream(body: chatBody(stream: true))
                #expect(status == 200)
                #expect(headers.first(name: "content-type") == "text/event-stream")
                // The client did not ask for usage: the gateway asked for it (to meter), so the usage chunk is kept back.
                let relayed = chunks.dropLast()
                let events = sseData(text)
                #expect(events.count == relayed.count + 1)
                #expect(events.last == "[DONE]")
                for (sent, received) in zip(relayed, events) {
                    #expect(received == sent.replacingOccurrences(of: #""model":"up-model""#, with: #""model":"chat""#))
                }

                #expect(upstream.requests.count == 1)
                let received = try #require(upstream.requests.first)
                #expect(received.httpVersion == "HTTP/2")
                #expect(received.headers[.accept] == "text/event-stream")
            }
        }
    }

    @Test("without http2 the same upstream, trusted through ca_file, is reached over HTTP/1.1")
    func http1WithPrivateAuthority() async throws {
        let upstream = UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["one"]).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Hello over 1.1"))
        }
        try await upstream.runTLS { base, caFile in
            try await GatewayHarness.withGateway(yaml: tlsProviderYAML(base: base, http2: false, caFile: caFile), upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.body.contains("Hello over 1.1"))
                let streamed = try await gateway.stream(body: chatBody(stream: true))
                #expect(streamed.status == 200)
                #expect(sseData(streamed.text).last == "[DONE]")

                #expect(upstream.requests.count == 2)
                #expect(upstream.requests.map(\.httpVersion) == ["HTTP/1.1", "HTTP/1.1"])
            }
        }
    }

    @Test("an upstream whose certificate authority the provider does not trust is never sent a request: 502")
    func untrustedAuthority() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model")) }
        try await upstream.runTLS { base, _ in
            for http2 in [true, false] {
                try await GatewayHarness.withGateway(yaml: tlsProviderYAML(base: base, http2: http2, caFile: nil), upstream: base) { gateway in
                    let reply = try await gateway.request("/v1/chat/completions", body: chatBody())
                    #expect(reply.status == 502, "http2: \(http2), \(reply.body)")
                }
            }
            #expect(upstream.requests.isEmpty)
        }
    }
}

@Suite("Provider TLS settings in the configuration file")
struct ProviderTLSConfigurationTests {
    /// The problems the loader finds in `yaml`; empty when it loads.
    static func problems(_ yaml: String) -> [ConfigurationProblem] {
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
            return []
        } catch {
            return error.problems
        }
    }

    /// Runs `body` with the path of a temporary file holding `contents`, removed afterwards.
    static func withFile<T>(_ contents: String, _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-ca-test-\(UUID().uuidString).pem")
        try Data(contents.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    @Test("http2 over a plain http:// base_url is refused, naming the key")
    func http2NeedsTLS() {
        let problems = Self.problems(tlsProviderYAML(base: "http://127.0.0.1:8000/v1", http2: true, caFile: nil))
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.path == "providers[0].http2")
        #expect(problems.first?.message.contains("https://") == true)
        #expect(Self.problems(tlsProviderYAML(base: "https://127.0.0.1:8443/v1", http2: true, caFile: nil)).isEmpty)
    }

    @Test("ca_file is read once with the configuration: its certificates reach the provider's settings")
    func caFileLoaded() throws {
        let pem = try LoopbackCertificateAuthority().certificatePEM
        try Self.withFile(pem + pem) { path in
            let loaded = try ConfigurationLoader(environment: [:]).load(yaml: tlsProviderYAML(base: "https://10.0.0.1/v1", http2: true, caFile: path))
            #expect(loaded.configuration.providers.first?.caCertificatesPEM == pem + pem)
            #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        }
    }

    @Test("a ca_file that is missing, holds no certificate or a broken one is refused, naming the key")
    func caFileRefused() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-no-such-ca-\(UUID().uuidString).pem").path
        let base = "https://10.0.0.1/v1"
        let unreadable = Self.problems(tlsProviderYAML(base: base, http2: false, caFile: missing))
        #expect(unreadable.map(\.path) == ["providers[0].ca_file"])
        #expect(unreadable.first?.message.contains("cannot read") == true, "\(unreadable)")

        try Self.withFile("not a certificate\n") { path in
            let problems = Self.problems(tlsProviderYAML(base: base, http2: false, caFile: path))
            #expect(problems.map(\.path) == ["providers[0].ca_file"])
            #expect(problems.first?.message.contains("no PEM certificate") == true, "\(problems)")
        }
        try Self.withFile("-----BEGIN CERTIFICATE-----\n%%% not base64 %%%\n-----END CERTIFICATE-----\n") { path in
            let problems = Self.problems(tlsProviderYAML(base: base, http2: false, caFile: path))
            #expect(problems.map(\.path) == ["providers[0].ca_file"])
            #expect(problems.first?.message.contains("not valid base64") == true, "\(problems)")
        }
        let pem = try LoopbackCertificateAuthority().certificatePEM
        try Self.withFile(pem + "-----BEGIN CERTIFICATE-----\nMIIB\n") { path in
            let problems = Self.problems(tlsProviderYAML(base: base, http2: false, caFile: path))
            #expect(problems.map(\.path) == ["providers[0].ca_file"])
            #expect(problems.first?.message.contains("certificate 2 has no") == true, "\(problems)")
        }
    }

    @Test("a ca_file on a plain http:// provider has no effect and says so")
    func caFileOverPlainHTTP() throws {
        let pem = try LoopbackCertificateAuthority().certificatePEM
        try Self.withFile(pem) { path in
            let loaded = try ConfigurationLoader(environment: [:]).load(yaml: tlsProviderYAML(base: "http://127.0.0.1:8000/v1", http2: false, caFile: path))
            #expect(loaded.warnings.map(\.path) == ["providers[0].ca_file"])
        }
    }
}
