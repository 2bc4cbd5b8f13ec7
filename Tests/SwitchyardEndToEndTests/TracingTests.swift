import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

/// A span as an OTLP/HTTP JSON export carries it.
struct ExportedSpan {
    var traceID: String
    var spanID: String
    var parentSpanID: String
    var name: String
    var kind: Int
    var attributes: [String: Any]
    var statusCode: Int

    /// Every span in the export bodies a collector received.
    static func all(in requests: [UpstreamDouble.RecordedRequest]) -> [ExportedSpan] {
        requests.flatMap { request -> [ExportedSpan] in
            guard let export = try? JSONSerialization.jsonObject(with: Data(request.text.utf8)) as? [String: Any] else { return [] }
            let resourceSpans = export["resourceSpans"] as? [[String: Any]] ?? []
            return resourceSpans.flatMap { ($0["scopeSpans"] as? [[String: Any]] ?? []) }.flatMap { ($0["spans"] as? [[String: Any]] ?? []) }
                .map { span in
                    var attributes: [String: Any] = [:]
                    for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                        guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else { continue }
                        if let text = value["stringValue"] { attributes[key] = text }
                        if let number = value["intValue"] { attributes[key] = Int("\(number)") as Any }
                        if let array = (value["arrayValue"] as? [String: Any])?["values"] as? [[String: Any]] {
                            attributes[key] = array.compactMap { $0["stringValue"] as? String }
                        }
                    }
                    return ExportedSpan(
                        traceID: hex(span["traceId"]), spanID: hex(span["spanId"]), parentSpanID: hex(span["parentSpanId"]),
                        name: span["name"] as? String ?? "", kind: span["kind"] as? Int ?? 0, attributes: attributes,
                        statusCode: (span["status"] as? [String: Any])?["code"] as? Int ?? 0)
                }
        }
    }

    /// OTLP ids arrive base64-encoded (protobuf JSON bytes); compared here as lowercase hex, as in `traceparent`.
    private static func hex(_ value: Any?) -> String {
        guard let text = value as? String, let data = Data(base64Encoded: text) else { return "" }
        return data.map { String(format: "%02x", $0) }.joined()
    }
}

@Suite("OpenTelemetry traces over OTLP")
struct TracingTests {
    static func configuration(collector: String) -> String {
        """
        telemetry:
          otlp_endpoint: \(collector)/traces
          otlp_protocol: http/json
          service_name: switchyard-test
          export_interval_seconds: 0.05
        """
    }

    /// Waits for the collector to have received spans matching `ready`.
    static func spans(from collector: UpstreamDouble, until ready: ([ExportedSpan]) -> Bool) async throws -> [ExportedSpan] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let spans = ExportedSpan.all(in: collector.requests)
            if ready(spans) { return spans }
            try await Task.sleep(for: .milliseconds(50))
        }
        return ExportedSpan.all(in: collector.requests)
    }

    @Test("a server span per request and a client span per attempt, with GenAI attributes, continuing the client's trace")
    func spansAndPropagation() async throws {
        let collector = UpstreamDouble { _ in .json("{}") }
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: "up-model-2025")) }
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let clientSpanID = "00f067aa0ba902b7"
        try await collector.run { collectorBase in
            try await upstream.run { base in
                try await GatewayHarness.withGateway(yaml: Self.configuration(collector: collectorBase) + "\n" + GatewayHarness.singleModel, upstream: base) {
                    gateway in
                    let reply = try await gateway.request(
                        "/v1/chat/completions", body: chatBody(), headers: [("traceparent", "00-\(traceID)-\(clientSpanID)-01")])
                    #expect(reply.status == 200)
                    let spans = try await Self.spans(from: collector) { spans in spans.contains { $0.kind == 2 } && spans.contains { $0.kind == 3 } }
                    let server = try #require(spans.first { $0.kind == 2 }, "no server span among \(spans.map(\.name))")
                    let client = try #require(spans.first { $0.kind == 3 })
                    #expect(server.traceID == traceID)
                    #expect(server.parentSpanID == clientSpanID)
                    #expect(server.name == "chat chat")
                    #expect(server.attributes["gen_ai.operation.name"] as? String == "chat")
                    #expect(server.attributes["gen_ai.request.model"] as? String == "chat")
                    #expect(server.attributes["gen_ai.provider.name"] as? String == "openai")
                    #expect(server.attributes["gen_ai.usage.input_tokens"] as? Int == 19)
                    #expect(server.attributes["gen_ai.usage.output_tokens"] as? Int == 10)
                    #expect(server.attributes["gen_ai.response.finish_reasons"] as? [String] == ["stop"])
                    #expect(server.attributes["http.response.status_code"] as? Int == 200)
                    #expect(client.traceID == traceID)
                    #expect(client.parentSpanID == server.spanID)
                    #expect(client.name == "chat up-model")
                    #expect(client.attributes["gen_ai.system"] as? String == "openai")
                    #expect(client.attributes["gen_ai.request.model"] as? String == "up-model")
                    #expect(client.attributes["gen_ai.response.model"] as? String == "up-model-2025")
                    #expect(client.attributes["gen_ai.usage.input_tokens"] as? Int == 19)
                    #expect(client.attributes["gen_ai.response.finish_reasons"] as? [String] == ["stop"])
                    // The upstream call carries the attempt's span as its parent, in the client's trace.
                    let sent = try #require(upstream.requests.first?.headers[HTTPField.Name("traceparent")!])
                    #expect(sent == "00-\(traceID)-\(client.spanID)-01")
                    #expect(collector.requests.allSatisfy { $0.path == "/v1/traces" })
                }
            }
        }
    }

    @Test("a streamed request's spans end with the stream; a failed attempt's span is an error")
    func streamAndFailure() async throws {
        let collector = UpstreamDouble { _ in .json("{}") }
        let upstream = UpstreamDouble { request in
            if request.model == "broken" { return .json(status: 503, #"{"error":{"message":"overloaded","type":"server_error"}}"#) }
            return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["a", "b"], includeUsage: true).map { .data($0) } + [.done])
        }
        try await collector.run { collectorBase in
            try await upstream.run { base in
                let yaml = Self.configuration(collector: collectorBase) + """

                    router:
                      backoff_initial_ms: 1
                    providers:
                      - {name: up, type: openai, base_url: UPSTREAM}
                    models:
                      - name: chat
                        strategy: round-robin
                        targets: [{provider: up, model: broken}]
                        fallbacks: [steady]
                      - name: steady
                        targets: [{provider: up, model: up-model}]
                    """
                try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                    let streamed = try await gateway.stream(body: chatBody(stream: true))
                    #expect(streamed.status == 200)
                    let spans = try await Self.spans(from: collector) { spans in
                        spans.contains { $0.kind == 2 } && spans.filter { $0.kind == 3 }.count >= 2
                    }
                    let server = try #require(spans.first { $0.kind == 2 })
                    let attempts = spans.filter { $0.kind == 3 }
                    #expect(attempts.allSatisfy { $0.parentSpanID == server.spanID && $0.traceID == server.traceID })
                    let failed = try #require(attempts.first { $0.name == "chat broken" })
                    #expect(failed.statusCode == 2, "a failed attempt's span has the error status")
                    let answered = try #require(attempts.first { $0.name == "chat up-model" })
                    #expect(answered.attributes["gen_ai.usage.output_tokens"] as? Int == 12)
                    #expect(answered.attributes["gen_ai.response.finish_reasons"] as? [String] == ["stop"])
                    #expect(server.attributes["switchyard.attempts"] as? Int == 3, "two on the broken target, one on the fallback")
                    #expect(server.attributes["gen_ai.usage.input_tokens"] as? Int == 9)
                }
            }
        }
    }
}
