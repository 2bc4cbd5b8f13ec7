import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Guardrails carried by virtual keys and teams (set with the admin API): they apply on top of the model's to every
/// request made with the key.
@Suite("Key and team guardrails")
struct KeyGuardrailTests {
    /// The model `chat` has no guardrails of its own.
    static let yaml = GatewayHarness.singleModel + """

        guardrails:
          - {name: pii, type: pii, entities: [email], action: redact}
          - {name: watch, type: words, words: [quarterly], action: flag}
          - {name: leaks, type: pii, entities: [email], action: redact, on: [output]}
        """

    static func upstream() -> UpstreamDouble {
        UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                let pieces = ["Ask ops@exa", "mple.com."]
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: pieces, includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Ask ops@example.com."))
        }
    }

    static let body = GuardrailsTests.chat("mail ann@example.com about the quarterly plan")

    static func param(_ reply: GatewayClient.Reply) -> String? { (reply.json["error"] as? [String: Any])?["param"] as? String }

    @Test("a key's guardrails screen its requests to a model without any; the master key's are left alone")
    func keyGuardrails() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let created = try await gateway.request("/admin/keys", body: #"{"name":"k","guardrails":["pii","pii"]}"#)
                #expect(created.status == 201, "\(created.body)")
                #expect(created.json["guardrails"] as? [String] == ["pii"], "each named once: \(created.body)")
                let id = try #require(created.json["id"] as? String)
                let secret = try #require(created.json["key"] as? String)

                let shown = try await gateway.request(.GET, "/admin/keys/\(id)")
                #expect(shown.json["guardrails"] as? [String] == ["pii"], "\(shown.body)")
                let plain = try await gateway.createKey(#"{"name":"plain"}"#)
                let plainShown = try await gateway.request(.GET, "/admin/keys/\(plain.id)")
                #expect(plainShown.json["guardrails"] as? [String] == [], "\(plainShown.body)")

                let screened = try await gateway.request("/v1/chat/completions", body: Self.body, key: secret)
                #expect(screened.status == 200, "\(screened.body)")
                #expect(GuardrailsTests.lastSent(upstream).contains("mail [EMAIL_1] about"), "\(GuardrailsTests.lastSent(upstream))")
                #expect(screened.headers.first(name: "x-switchyard-guardrails") == "pii=redact:1", "\(screened.headers)")

                let master = try await gateway.request("/v1/chat/completions", body: Self.body)
                #expect(master.status == 200 && master.headers.first(name: "x-switchyard-guardrails") == nil, "\(master.headers)")
                #expect(GuardrailsTests.lastSent(upstream).contains("mail ann@example.com about"))
                _ = try await gateway.request("/v1/chat/completions", body: Self.body, key: plain.secret)
                #expect(GuardrailsTests.lastSent(upstream).contains("mail ann@example.com about"), "a key without guardrails is left alone")

                // Embeddings and streams are screened by the key's guardrails too.
                let streamed = try await gateway.stream(body: GuardrailsTests.chat("mail ann@example.com", stream: true), key: secret)
                #expect(streamed.headers.first(name: "x-switchyard-guardrails") == "pii=redact:1")
                #expect(GuardrailsTests.lastSent(upstream).contains("mail [EMAIL_1]"))

                // PATCH changes them at once; null clears them.
                let patched = try await gateway.request(.PATCH, "/admin/keys/\(id)", body: #"{"guardrails":["watch"]}"#)
                #expect(patched.status == 200 && patched.json["guardrails"] as? [String] == ["watch"], "\(patched.body)")
                let flagged = try await gateway.request("/v1/chat/completions", body: Self.body, key: secret)
                #expect(flagged.headers.first(name: "x-switchyard-guardrails") == "watch=flag:1", "\(flagged.headers)")
                #expect(GuardrailsTests.lastSent(upstream).contains("mail ann@example.com about"))
                let cleared = try await gateway.request(.PATCH, "/admin/keys/\(id)", body: #"{"guardrails":null}"#)
                #expect(cleared.status == 200 && cleared.json["guardrails"] as? [String] == [], "\(cleared.body)")
                let none = try await gateway.request("/v1/chat/completions", body: Self.body, key: secret)
                #expect(none.headers.first(name: "x-switchyard-guardrails") == nil, "\(none.headers)")
            }
        }
    }

    @Test("a team's guardrails apply to its keys, added to the key's own; PATCH /admin/teams/{id} changes them at once")
    func teamGuardrails() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let team = try await gateway.request("/admin/teams", body: #"{"name":"t","guardrails":["pii"]}"#)
                #expect(team.status == 201 && team.json["guardrails"] as? [String] == ["pii"], "\(team.body)")
                let teamID = try #require(team.json["id"] as? String)
                let member = try await gateway.createKey(#"{"name":"member","team":"\#(teamID)"}"#).secret
                let watched = try await gateway.createKey(#"{"name":"watched","team":"\#(teamID)","guardrails":["watch"]}"#).secret

                let screened = try await gateway.request("/v1/chat/completions", body: Self.body, key: member)
                #expect(screened.status == 200 && screened.headers.first(name: "x-switchyard-guardrails") == "pii=redact:1", "\(screened.headers)")
                #expect(GuardrailsTests.lastSent(upstream).contains("mail [EMAIL_1] about"))
                let both = try await gateway.request("/v1/chat/completions", body: Self.body, key: watched)
                #expect(both.headers.first(name: "x-switchyard-guardrails") == "watch=flag:1,pii=redact:1", "the key's first: \(both.headers)")

                let shown = try await gateway.request(.GET, "/admin/teams/\(teamID)")
                #expect(shown.json["guardrails"] as? [String] == ["pii"], "\(shown.body)")

                let patched = try await gateway.request(.PATCH, "/admin/teams/\(teamID)", body: #"{"guardrails":[]}"#)
                #expect(patched.status == 200, "\(patched.body)")
                #expect(patched.json["guardrails"] as? [String] == [] && patched.json["name"] as? String == "t", "\(patched.body)")
                let after = try await gateway.request("/v1/chat/completions", body: Self.body, key: member)
                #expect(after.status == 200 && after.headers.first(name: "x-switchyard-guardrails") == nil, "\(after.headers)")
                #expect(GuardrailsTests.lastSent(upstream).contains("mail ann@example.com about"))

                let renamed = try await gateway.request(.PATCH, "/admin/teams/\(teamID)", body: #"{"name":"renamed"}"#)
                #expect(renamed.status == 200 && renamed.json["name"] as? String == "renamed" && renamed.json["guardrails"] as? [String] == [])
                let missing = try await gateway.request(.PATCH, "/admin/teams/team_nope", body: #"{"guardrails":[]}"#)
                #expect(missing.status == 404, "\(missing.body)")
            }
        }
    }

    @Test("an output guardrail on a key screens its answers, streamed ones too")
    func outputOnKey() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let secret = try await gateway.createKey(#"{"name":"k","guardrails":["leaks"]}"#).secret
                let reply = try await gateway.request("/v1/chat/completions", body: GuardrailsTests.chat("who?"), key: secret)
                let content = ((reply.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
                #expect(content == "Ask [EMAIL_1].", "\(reply.body)")
                let streamed = try await gateway.stream(body: GuardrailsTests.chat("who?", stream: true), key: secret)
                #expect(GuardrailsTests.streamedContent(streamed.text) == "Ask [EMAIL_1].", "\(streamed.text)")
                let master = try await gateway.stream(body: GuardrailsTests.chat("who?", stream: true))
                #expect(GuardrailsTests.streamedContent(master.text) == "Ask ops@example.com.", "\(master.text)")
            }
        }
    }

    @Test("unknown guardrail names and wrong types are refused naming 'guardrails'")
    func refusals() async throws {
        try await GatewayHarness.withGateway(yaml: Self.yaml) { gateway in
            let unknown = try await gateway.request("/admin/keys", body: #"{"name":"k","guardrails":["nope"]}"#)
            #expect(unknown.status == 400 && Self.param(unknown) == "guardrails", "\(unknown.body)")
            #expect(unknown.errorMessage.contains("nope") && unknown.errorMessage.contains("pii"), "\(unknown.body)")
            let string = try await gateway.request("/admin/keys", body: #"{"name":"k","guardrails":"pii"}"#)
            #expect(string.status == 400 && Self.param(string) == "guardrails" && string.errorMessage.contains("'guardrails'"), "\(string.body)")
            let numbers = try await gateway.request("/admin/keys", body: #"{"name":"k","guardrails":[1]}"#)
            #expect(numbers.status == 400 && Self.param(numbers) == "guardrails", "\(numbers.body)")
            let team = try await gateway.request("/admin/teams", body: #"{"name":"t","guardrails":["nope"]}"#)
            #expect(team.status == 400 && Self.param(team) == "guardrails", "\(team.body)")
            let teamID = try #require(try await gateway.request("/admin/teams", body: #"{"name":"t"}"#).json["id"] as? String)
            let patch = try await gateway.request(.PATCH, "/admin/teams/\(teamID)", body: #"{"guardrails":"pii"}"#)
            #expect(patch.status == 400 && Self.param(patch) == "guardrails", "\(patch.body)")
            let unknownField = try await gateway.request(.PATCH, "/admin/teams/\(teamID)", body: #"{"colour":"red"}"#)
            #expect(unknownField.status == 400 && Self.param(unknownField) == "colour", "\(unknownField.body)")
            let key = try await gateway.createKey(#"{"name":"k"}"#)
            let patchKey = try await gateway.request(.PATCH, "/admin/keys/\(key.id)", body: #"{"guardrails":["nope"]}"#)
            #expect(patchKey.status == 400 && Self.param(patchKey) == "guardrails", "\(patchKey.body)")
            let virtual = try await gateway.request(.PATCH, "/admin/teams/\(teamID)", body: #"{"guardrails":[]}"#, key: key.secret)
            #expect(virtual.status == 401 || virtual.status == 403, "only the master key administers: \(virtual.body)")
        }
        // A gateway without guardrails takes none.
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let none = try await gateway.request("/admin/keys", body: #"{"name":"k","guardrails":["pii"]}"#)
            #expect(none.status == 400 && none.errorMessage.contains("none are configured"), "\(none.body)")
            let empty = try await gateway.request("/admin/keys", body: #"{"name":"k","guardrails":[]}"#)
            #expect(empty.status == 201, "\(empty.body)")
        }
    }

    @Test("a key naming a guardrail the configuration no longer has is refused with 500, not sent unscreened")
    func guardrailGone() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-key-guardrails-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let upstream = Self.upstream()
        try await upstream.run { base in
            let secret = try await GatewayHarness.withGateway(configuration: try Self.configuration(Self.yaml, base, path)) { gateway in
                try await gateway.createKey(#"{"name":"k","guardrails":["pii"]}"#).secret
            }
            // The configuration still has guardrails, but not this one.
            let other = GatewayHarness.singleModel + "\nguardrails:\n  - {name: other, type: words, words: [x]}\n"
            try await GatewayHarness.withGateway(configuration: try Self.configuration(other, base, path)) { gateway in
                let before = upstream.requests.count
                let reply = try await gateway.request("/v1/chat/completions", body: Self.body, key: secret)
                #expect(reply.status == 500 && reply.errorCode == "guardrail_unavailable" && reply.errorMessage.contains("'pii'"), "\(reply.body)")
                #expect(upstream.requests.count == before, "nothing reached the upstream")
            }
            // The configuration has no guardrails at all any more.
            try await GatewayHarness.withGateway(configuration: try Self.configuration(GatewayHarness.singleModel, base, path)) { gateway in
                let before = upstream.requests.count
                let reply = try await gateway.request("/v1/chat/completions", body: Self.body, key: secret)
                #expect(reply.status == 500 && reply.errorCode == "guardrail_unavailable", "\(reply.body)")
                #expect(upstream.requests.count == before, "nothing reached the upstream")
            }
        }
    }

    static func configuration(_ yaml: String, _ base: String, _ path: String) throws -> Configuration {
        var configuration = try GatewayHarness.configuration(yaml: yaml, upstream: base, storage: .sqliteFile(path: path))
        configuration.server.host = "127.0.0.1"
        return configuration
    }
}
