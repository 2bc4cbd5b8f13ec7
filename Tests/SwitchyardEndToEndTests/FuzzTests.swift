import Foundation
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Extreme and random values on every parameter")
struct FuzzTests {
    /// Numbers at and past every integer and floating-point edge, and strings no client should send.
    static let extremes = [
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e400", "NaN", "-0", "-1", "1.5", "",
        "%00", String(repeating: "9", count: 400), String(repeating: "a", count: 4000), "\u{10FFFF}\u{0}\u{202E}",
    ]

    /// The same values as JSON members: numbers as numbers, the rest as strings.
    static var jsonExtremes: [String] {
        ["9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e308", "1e400", "-0", "-1", "1.5", "null", "{}", "\"\"",
            #""\u0000""#, "\"\(String(repeating: "x", count: 4000))\"", String(repeating: "9", count: 400)]
    }

    static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    @Test("random and extreme values in every numeric and string parameter of every route never take the process down")
    func extremeValues() async throws {
        let upstream = UpstreamDouble { request in
            if request.path.hasSuffix("/embeddings") { return .json(OpenAIWireSamples.embeddings(model: request.model ?? "")) }
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: request.model ?? "", pieces: ["a"], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
        }
        // Guardrails read every text of every request: random values go through the detectors too.
        let yaml = GatewayHarness.singleModel.replacingOccurrences(of: "  - name: chat\n", with: "  - name: chat\n    guardrails: [pii, injection]\n")
            + "\nguardrails:\n  - {name: pii, type: pii, action: mask}\n  - {name: injection, type: prompt_injection, action: flag}\n"
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let (keyID, secret) = try await gateway.createKey(#"{"name":"fuzzed","rpm":100000,"tpm":100000000}"#)
                let responseID = try #require(try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"hi"}"#).json["id"] as? String)
                let conversationID = try #require(try await gateway.request("/v1/conversations", body: #"{"items":[{"role":"user","content":"hi"}]}"#).json["id"] as? String)
                let fileID = try #require(try await FilesTests.upload(gateway, key: secret).json["id"] as? String)
                let storeID = try #require(
                    try await gateway.request("/v1/vector_stores", body: #"{"name":"fuzzed","file_ids":["\#(fileID)"]}"#, key: secret).json["id"] as? String)
                var random = SeededGenerator(seed: 20_261_207)
                var statuses: [Int: Int] = [:]
                func check(_ reply: GatewayClient.Reply, _ what: String) {
                    statuses[reply.status, default: 0] += 1
                    #expect(reply.status != 500, "\(what) → 500: \(reply.body.prefix(300))")
                }

                // Query parameters.
                let queries: [(String, [String])] = [
                    ("/v1/responses/\(responseID)?stream=true", ["starting_after"]),
                    ("/v1/responses/\(responseID)/input_items?x=1", ["limit", "after", "order"]),
                    ("/admin/logs?x=1", ["limit", "status", "cursor", "from", "to", "key_id", "model"]),
                    ("/admin/usage?x=1", ["from", "to", "group_by", "team_id"]),
                    ("/health/ready?x=1", ["model"]),
                    ("/v1/conversations/\(conversationID)/items?x=1", ["limit", "after", "order"]),
                    ("/v1/files?x=1", ["limit", "after", "order", "purpose"]),
                    ("/v1/memories?x=1", ["user"]),
                    ("/v1/vector_stores?x=1", ["limit", "after", "order"]),
                    ("/v1/vector_stores/\(storeID)/files?x=1", ["limit", "after", "order", "filter"]),
                ]
                for (path, names) in queries {
                    for name in names {
                        for value in Self.extremes {
                            check(try await gateway.request(.GET, "\(path)&\(name)=\(Self.encoded(value))"), "\(path) \(name)=\(value.prefix(40))")
                        }
                    }
                }
                for value in Self.extremes {
                    check(try await gateway.request(.GET, "/v1/models/\(Self.encoded(value))", key: secret), "model \(value.prefix(40))")
                    check(try await gateway.request(.GET, "/v1/responses/\(Self.encoded(value))"), "response \(value.prefix(40))")
                    check(try await gateway.request(.GET, "/v1/conversations/\(Self.encoded(value))/items/\(Self.encoded(value))"), "item \(value.prefix(40))")
                    check(try await gateway.request(.GET, "/v1/files/\(Self.encoded(value))/content"), "file \(value.prefix(40))")
                    check(try await gateway.request(.DELETE, "/v1/memories/\(Self.encoded(value))"), "memory \(value.prefix(40))")
                    check(try await gateway.request(.GET, "/v1/vector_stores/\(Self.encoded(value))"), "vector store \(value.prefix(40))")
                    check(try await gateway.request(.GET, "/v1/vector_stores/\(storeID)/files/\(Self.encoded(value))"), "store file \(value.prefix(40))")
                    check(
                        try await gateway.request(.DELETE, "/v1/vector_stores/\(storeID)/files/\(Self.encoded(value))"), "store file removal \(value.prefix(40))")
                    // A header value holds visible characters only: the others are the client library's to refuse.
                    if value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
                        check(
                            try await gateway.request(
                                .POST, "/v1/chat/completions", body: chatBody(), key: secret, headers: [("x-switchyard-conversation", value)]),
                            "conversation header \(value.prefix(40))")
                        check(
                            try await gateway.request(
                                .POST, "/v1/chat/completions", body: chatBody(), key: secret, headers: [("x-switchyard-knowledge", value)]),
                            "knowledge header \(value.prefix(40))")
                    }
                }

                // JSON members of every body the gateway reads.
                let bodies: [(String, HTTPMethod, (String) -> String)] = [
                    ("/admin/keys", .POST, { #"{"name":"k","rpm":\#($0)}"# }),
                    ("/admin/keys", .POST, { #"{"name":"k","tpm":\#($0),"max_parallel":\#($0)}"# }),
                    ("/admin/keys", .POST, { #"{"name":"k","max_budget_usd":\#($0),"soft_budget_usd":\#($0),"token_quota":\#($0)}"# }),
                    ("/admin/keys", .POST, { #"{"name":\#($0),"expires_at":\#($0)}"# }),
                    ("/admin/keys/\(keyID)", .PATCH, { #"{"rpm":\#($0)}"# }),
                    ("/admin/keys/\(keyID)", .PATCH, { #"{"tpm":\#($0),"max_budget_usd":\#($0)}"# }),
                    ("/admin/teams", .POST, { #"{"name":"t","rpm":\#($0),"tpm":\#($0)}"# }),
                    ("/v1/chat/completions", .POST, { #"{"model":\#($0),"messages":[{"role":"user","content":"x"}]}"# }),
                    ("/v1/chat/completions", .POST, { #"{"model":"chat","max_tokens":\#($0),"messages":[{"role":"user","content":\#($0)}]}"# }),
                    ("/v1/chat/completions", .POST, { #"{"model":"chat","stream":true,"stream_options":\#($0),"messages":[{"role":"user","content":"x"}]}"# }),
                    ("/v1/embeddings", .POST, { #"{"model":"embed","input":\#($0)}"# }),
                    ("/v1/messages", .POST, { #"{"model":"chat","max_tokens":\#($0),"messages":[{"role":"user","content":"x"}]}"# }),
                    ("/v1/messages/count_tokens", .POST, { #"{"model":\#($0),"messages":[{"role":"user","content":"x"}]}"# }),
                    ("/v1/responses", .POST, { #"{"model":"chat","input":\#($0),"max_output_tokens":\#($0)}"# }),
                    ("/v1/responses", .POST, { #"{"model":"chat","input":"x","previous_response_id":\#($0),"truncation":\#($0)}"# }),
                    ("/v1/responses/input_tokens", .POST, { #"{"model":"chat","input":\#($0)}"# }),
                    ("/v1/responses", .POST, { #"{"model":"chat","input":"x","conversation":\#($0)}"# }),
                    ("/v1/conversations", .POST, { #"{"items":\#($0),"metadata":\#($0)}"# }),
                    ("/v1/conversations", .POST, { #"{"items":[{"role":"user","content":\#($0),"id":\#($0)}]}"# }),
                    ("/v1/conversations/\(conversationID)", .POST, { #"{"metadata":\#($0)}"# }),
                    ("/v1/conversations/\(conversationID)/items", .POST, { #"{"items":[{"type":\#($0),"role":\#($0),"content":"x"}]}"# }),
                    ("/v1/vector_stores", .POST, { #"{"name":\#($0),"metadata":\#($0),"file_ids":\#($0)}"# }),
                    ("/v1/vector_stores", .POST, {
                        #"{"name":"v","chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":\#($0),"chunk_overlap_tokens":\#($0)}}}"#
                    }),
                    ("/v1/vector_stores/\(storeID)", .POST, { #"{"name":\#($0),"metadata":\#($0)}"# }),
                    ("/v1/vector_stores/\(storeID)/files", .POST, { #"{"file_id":\#($0),"attributes":{"a":\#($0)}}"# }),
                    ("/v1/vector_stores/\(storeID)/files", .POST, { #"{"file_id":"\#(fileID)","chunking_strategy":\#($0),"attributes":\#($0)}"# }),
                    ("/v1/vector_stores/\(storeID)/files/\(fileID)", .POST, { #"{"attributes":\#($0)}"# }),
                    ("/v1/vector_stores/\(storeID)/search", .POST, { #"{"query":\#($0),"max_num_results":\#($0)}"# }),
                    ("/v1/vector_stores/\(storeID)/search", .POST, {
                        #"{"query":"x","ranking_options":{"score_threshold":\#($0),"hybrid_search":{"embedding_weight":\#($0),"text_weight":\#($0)}}}"#
                    }),
                    ("/v1/vector_stores/\(storeID)/search", .POST, { #"{"query":"x","filters":{"type":"gte","key":"a","value":\#($0)}}"# }),
                    ("/v1/vector_stores/\(storeID)/search", .POST, { #"{"query":"x","filters":{"type":"in","key":\#($0),"value":[\#($0)]}}"# }),
                    ("/v1/responses", .POST, { #"{"model":"chat","input":"x","tools":[{"type":"file_search","vector_store_ids":[\#($0)]}]}"# }),
                    ("/v1/responses", .POST, {
                        #"{"model":"chat","input":"x","tools":[{"type":"file_search","vector_store_ids":["\#(storeID)"],"max_num_results":\#($0)}]}"#
                    }),
                ]
                for (path, method, body) in bodies {
                    for value in Self.jsonExtremes {
                        let key = path.hasPrefix("/admin") ? GatewayHarness.masterKey : secret
                        check(try await gateway.request(method, path, body: body(value), key: key), "\(path) \(value.prefix(40))")
                    }
                }

                // Random mixes of the same values, in random members of random bodies.
                for _ in 0..<20 {
                    let (path, method, body) = bodies.randomElement(using: &random)!
                    let value = Self.jsonExtremes.randomElement(using: &random)!
                    let key = path.hasPrefix("/admin") ? GatewayHarness.masterKey : secret
                    check(try await gateway.request(method, path, body: body(value), key: key), "\(path) \(value.prefix(40))")
                }

                // Headers.
                for value in ["", String(repeating: "k", count: 8000), "Bearer", "Bearer  sk-", "Basic Zm9vOmJhcg=="] {
                    check(
                        try await gateway.request(.POST, "/v1/chat/completions", body: chatBody(), key: nil, headers: [("authorization", value)]),
                        "authorization \(value.prefix(20))")
                }
                check(
                    try await gateway.request(.POST, "/v1/chat/completions", body: chatBody(), headers: [("x-request-id", String(repeating: "r", count: 6000))]),
                    "long request id")

                #expect(statuses.keys.contains(400), "bad values are told apart: \(statuses)")
                #expect(try await gateway.request(.GET, "/health/live").status == 200)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
            }
        }
    }
}

@Suite("NUL in ids and names on PostgreSQL", .enabled(if: PostgresTestDatabase.url != nil))
struct NULOnPostgresTests {
    @Test("a NUL in an id, a user or a file name is a 400 or a 404, never a 500, on a store that cannot hold it")
    func nulNamesNothing() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await PostgresTestDatabase.with { location in
                let yaml = GatewayHarness.singleModel.replacingOccurrences(
                    of: "  - name: chat\n", with: "  - name: chat\n    memory: {enabled: true, extract_with: chat, embedding_model: embed}\n")
                let configuration = try GatewayHarness.configuration(yaml: yaml, upstream: base, storage: location)
                try await GatewayHarness.withGateway(configuration: configuration) { gateway in
                    let conversation = try #require(try await gateway.request("/v1/conversations", body: "{}").json["id"] as? String)
                    let form = "--bb\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n--bb\r\n"
                        + "Content-Disposition: form-data; name=\"file\"; filename=\"a\u{0}b.txt\"\r\n\r\nhello\r\n--bb--\r\n"
                    let replies = [
                        try await gateway.request(.GET, "/v1/memories?user=%00"),
                        try await gateway.request(.GET, "/v1/conversations/\(conversation)/items?after=%00"),
                        try await gateway.request(.GET, "/v1/files?after=%00"),
                        try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","conversation":"c\u0000"}"#),
                        try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","previous_response_id":"r\u0000"}"#),
                        try await gateway.request("/v1/conversations", body: #"{"items":[{"role":"user","content":"x","id":"m\u0000"}]}"#),
                        try await gateway.request("/v1/files", body: form, headers: [("content-type", "multipart/form-data; boundary=bb")]),
                    ]
                    for (index, reply) in replies.enumerated() {
                        #expect([400, 404].contains(reply.status), "case \(index): \(reply.status) \(reply.body)")
                    }
                    // A user with a NUL has no memory; the request is served.
                    let chat = try await gateway.request(
                        "/v1/chat/completions", body: #"{"model":"chat","user":"u\u0000","messages":[{"role":"user","content":"hi"}]}"#)
                    #expect(chat.status == 200 && chat.headers.first(name: "x-switchyard-memory") == nil)
                }
            }
        }
    }
}
