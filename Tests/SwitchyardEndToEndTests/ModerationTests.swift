import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

/// Moderation guardrails end to end: a configured model judges the request's texts (as the other guardrails left
/// them) or the answer, through the OpenAI Moderations API or as a chat model asked to classify.
@Suite("Moderation guardrails")
struct ModerationTests {
    /// A configuration with the chat model `chat` (guarded by `names`), the moderations model `moderator` and the chat
    /// model `judge`, all on the double, and `guardrails` besides `pii`.
    static func yaml(_ guardrails: String, names: String = "[pii, moderation]") -> String {
        """
        providers:
          - {name: up, type: openai, base_url: UPSTREAM, api_key: sk-upstream-key}
        models:
          - name: chat
            guardrails: \(names)
            targets: [{provider: up, model: up-model}]
          - name: moderator
            targets: [{provider: up, model: omni-moderation-latest}]
          - name: judge
            targets: [{provider: up, model: up-judge}]
        guardrails:
          - {name: pii, type: pii, action: redact}
        \(guardrails)
        """
    }

    /// An OpenAI Moderations answer with one result whose `categories` are the ones named true.
    static func moderation(flagged: Bool, _ categories: [String] = []) -> String {
        let all = ["violence", "hate", "harassment"]
        let flags = all.map { #""\#($0)":\#(categories.contains($0))"# }.joined(separator: ",")
        let scores = all.map { #""\#($0)":\#(categories.contains($0) ? 0.93 : 0.01)"# }.joined(separator: ",")
        return #"{"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":\#(flagged),"categories":{\#(flags)},"category_scores":{\#(scores)}}]}"#
    }

    /// The double: `/moderations` flags texts that speak of an attack (violence) or a slur (hate), fails on `boom`,
    /// never answers `hang`; the `up-judge` chat model classifies the same way, or answers prose on `garbage`; the
    /// chat model answers `answer`.
    static func upstream(answer: String = "Noted.") -> UpstreamDouble {
        UpstreamDouble { request in
            let text = request.text
            if request.path.hasSuffix("/moderations") {
                if text.contains("boom") { return .json(status: 500, OpenAIWireSamples.error("kaput", type: "server_error", code: nil)) }
                if text.contains("hang") { return .silence(.seconds(10)) }
                if text.contains("slur") { return .json(Self.moderation(flagged: true, ["hate"])) }
                if text.contains("attack") { return .json(Self.moderation(flagged: true, ["violence"])) }
                return .json(Self.moderation(flagged: false))
            }
            if request.model == "up-judge" {
                if text.contains("garbage") { return .json(OpenAIWireSamples.chatCompletion(model: "up-judge", content: "I would rather not say.")) }
                let verdict = text.contains("attack") ? #"{\"flagged\": true, \"categories\": [\"violence\"]}"# : #"{\"flagged\": false, \"categories\": []}"#
                return .json(OpenAIWireSamples.chatCompletion(model: "up-judge", content: "Classification: " + verdict))
            }
            if text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: [answer], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: answer))
        }
    }

    static func chat(_ text: String, stream: Bool = false) -> String { GuardrailsTests.chat(text, stream: stream) }

    static func chatCalls(_ upstream: UpstreamDouble) -> Int { upstream.requests.filter { $0.model == "up-model" }.count }

    static func moderationCalls(_ upstream: UpstreamDouble) -> [UpstreamDouble.RecordedRequest] {
        upstream.requests.filter { $0.path.hasSuffix("/moderations") }
    }

    @Test("via moderations: a flagged request is refused before the model is called; the moderator gets the redacted texts")
    func moderationsBlock() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator, action: block}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let blocked = try await gateway.request("/v1/chat/completions", body: Self.chat("plan the attack on ann@example.com"))
                #expect(blocked.status == 400 && blocked.errorCode == "guardrail_blocked", "\(blocked.body)")
                #expect(blocked.errorMessage.contains("'moderation'") && blocked.errorMessage.contains("violence"), "\(blocked.body)")
                #expect(Self.chatCalls(upstream) == 0, "the chat model is never called")

                let sent = try #require(Self.moderationCalls(upstream).last)
                #expect(sent.path == "/v1/moderations" && sent.method == "POST")
                #expect(sent.json["model"] as? String == "omni-moderation-latest", "\(sent.text)")
                #expect(sent.json["input"] as? [String] == ["plan the attack on [EMAIL_1]"], "\(sent.text)")

                let passed = try await gateway.request(
                    "/v1/chat/completions",
                    body: #"{"model":"chat","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"mail ann@example.com about lunch"}]}"#)
                #expect(passed.status == 200, "\(passed.body)")
                #expect(passed.headers.first(name: "x-switchyard-guardrails") == "pii=redact:1", "\(passed.headers)")
                #expect(Self.chatCalls(upstream) == 1)
                #expect(Self.moderationCalls(upstream).last?.json["input"] as? [String] == ["Be brief.", "mail [EMAIL_1] about lunch"])

                // The Messages API and embeddings are judged too.
                let messages = try await gateway.request(
                    "/v1/messages", body: #"{"model":"chat","max_tokens":10,"messages":[{"role":"user","content":"an attack"}]}"#)
                #expect(messages.status == 400 && messages.body.contains("moderation"), "\(messages.body)")

                let metrics = try await gateway.request(.GET, "/metrics", key: nil).body
                #expect(metrics.contains(#"switchyard_guardrail_actions_total{guardrail="moderation",action="block",direction="input"} 2"#), "\(metrics)")
            }
        }
    }

    @Test("categories: only those configured count (a prefix counts its sub-categories)")
    func categories() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator, categories: [hate]}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let violent = try await gateway.request("/v1/chat/completions", body: Self.chat("the attack"))
                #expect(violent.status == 200 && violent.headers.first(name: "x-switchyard-guardrails") == nil, "\(violent.body)")
                let hateful = try await gateway.request("/v1/chat/completions", body: Self.chat("a slur"))
                #expect(hateful.status == 400 && hateful.errorCode == "guardrail_blocked" && hateful.errorMessage.contains("hate"), "\(hateful.body)")
            }
        }
    }

    @Test("action flag: the request passes and the header tells it")
    func flag() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator, action: flag}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: Self.chat("the attack"))
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.headers.first(name: "x-switchyard-guardrails") == "moderation=flag:1", "\(reply.headers)")
                #expect(Self.chatCalls(upstream) == 1)
                let streamed = try await gateway.stream(body: Self.chat("the attack", stream: true))
                #expect(streamed.status == 200 && streamed.headers.first(name: "x-switchyard-guardrails") == "moderation=flag:1", "\(streamed.headers)")
                let responses = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"the attack"}"#)
                #expect(responses.headers.first(name: "x-switchyard-guardrails") == "moderation=flag:1", "\(responses.headers)")
            }
        }
    }

    @Test("on_error allow: a failing moderator lets the request through, and the header says so")
    func errorAllowed() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator, on_error: allow}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: Self.chat("boom"))
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.headers.first(name: "x-switchyard-guardrails")?.contains("moderation=error:1") == true, "\(reply.headers)")
                #expect(Self.chatCalls(upstream) == 1)
            }
        }
    }

    @Test("on_error block (the default): a failing or silent moderator refuses the request, saying it could not judge")
    func errorBlocks() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator, timeout_seconds: 0.2}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let failed = try await gateway.request("/v1/chat/completions", body: Self.chat("boom"))
                #expect(failed.status == 400 && failed.errorCode == "guardrail_blocked", "\(failed.body)")
                #expect(failed.errorMessage.contains("'moderation'") && failed.errorMessage.contains("could not judge"), "\(failed.body)")

                let start = ContinuousClock.now
                let silent = try await gateway.request("/v1/chat/completions", body: Self.chat("hang"))
                #expect(ContinuousClock.now - start < .seconds(6), "the timeout cut the call short, long before the 10 s of silence")
                #expect(silent.status == 400 && silent.errorCode == "guardrail_blocked", "\(silent.body)")
                #expect(silent.errorMessage.contains("could not judge") && silent.errorMessage.contains("timeout"), "\(silent.body)")
                #expect(Self.chatCalls(upstream) == 0)
            }
        }
    }

    @Test("on_error allow with a timeout: a silent moderator lets the request through as an error")
    func timeoutAllowed() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator, timeout_seconds: 0.2, on_error: allow}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let start = ContinuousClock.now
                let reply = try await gateway.request("/v1/chat/completions", body: Self.chat("hang"))
                // Cut by the 0.2 s timeout, long before the moderator's 10 s of silence, with room for a loaded machine.
                #expect(ContinuousClock.now - start < .seconds(6))
                #expect(reply.status == 200 && reply.headers.first(name: "x-switchyard-guardrails") == "moderation=error:1", "\(reply.headers)")
            }
        }
    }

    @Test("via chat: a chat model's classification in prose blocks; an answer without one is an error")
    func viaChat() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: judge, via: chat}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let blocked = try await gateway.request("/v1/chat/completions", body: Self.chat("the attack on ann@example.com"))
                #expect(blocked.status == 400 && blocked.errorCode == "guardrail_blocked" && blocked.errorMessage.contains("'moderation'"), "\(blocked.body)")
                let asked = try #require(upstream.requests.last { $0.model == "up-judge" })
                let messages = asked.json["messages"] as? [[String: Any]] ?? []
                let system = messages.first?["content"] as? String ?? ""
                let user = messages.last?["content"] as? String ?? ""
                #expect(system.contains("harassment, hate, self-harm, sexual, violence, illicit"), "the default categories: \(system)")
                #expect(user == "<text 1>\nthe attack on [EMAIL_1]\n</text 1>", "\(asked.text)")
                #expect(Self.chatCalls(upstream) == 0)

                let passed = try await gateway.request("/v1/chat/completions", body: Self.chat("a picnic"))
                #expect(passed.status == 200 && passed.headers.first(name: "x-switchyard-guardrails") == nil, "\(passed.body)")

                let garbage = try await gateway.request("/v1/chat/completions", body: Self.chat("garbage"))
                #expect(garbage.status == 400 && garbage.errorMessage.contains("could not judge"), "\(garbage.body)")
            }
        }
    }

    @Test("on output: a flagged answer is refused; a flagged streamed answer ends with an error event")
    func output() async throws {
        let upstream = Self.upstream(answer: "We attack at dawn.")
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator, on: [output]}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let blocked = try await gateway.request("/v1/chat/completions", body: Self.chat("plans for ann@example.com?"))
                #expect(blocked.status == 400 && blocked.errorCode == "guardrail_blocked", "\(blocked.body)")
                #expect(blocked.errorMessage.contains("answer") && blocked.errorMessage.contains("'moderation'"), "\(blocked.body)")
                #expect(Self.chatCalls(upstream) == 1, "the model answered")
                #expect(Self.moderationCalls(upstream).count == 1, "the request itself is not judged")
                #expect(Self.moderationCalls(upstream).last?.json["input"] as? [String] == ["We attack at dawn."])

                let streamed = try await gateway.stream(body: Self.chat("plans?", stream: true))
                let last = try #require(sseData(streamed.text).last)
                #expect(last.contains("guardrail_blocked") && last.contains("'moderation'"), "\(streamed.text)")
                #expect(!streamed.text.contains("data: [DONE]"), "\(streamed.text)")
                #expect(Self.moderationCalls(upstream).last?.json["input"] as? [String] == ["We attack at dawn."])
            }
        }
    }

    @Test("a key limited to the guarded model is still judged by a moderator it may not call itself")
    func onTheGatewaysBehalf() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml("  - {name: moderation, type: moderation, model: moderator}")
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let key = try await gateway.createKey(#"{"name":"limited","models":["chat"]}"#).secret
                let own = try await gateway.request("/v1/chat/completions", body: #"{"model":"judge","messages":[{"role":"user","content":"hi"}]}"#, key: key)
                #expect(own.status == 403 || own.status == 404, "\(own.body)")
                let blocked = try await gateway.request("/v1/chat/completions", body: Self.chat("the attack"), key: key)
                #expect(blocked.status == 400 && blocked.errorCode == "guardrail_blocked", "\(blocked.body)")
                let passed = try await gateway.request("/v1/chat/completions", body: Self.chat("a picnic"), key: key)
                #expect(passed.status == 200, "\(passed.body)")
            }
        }
    }
}
