import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Prompt templates served as endpoints, end to end: runs, versions, lifecycle, visibility, subscriptions,
/// attribution, the Responses API's `prompt`, and history.
@Suite("Prompt endpoints")
struct PromptEndpointTests {
    /// The model `chat` with one prompt from the file, `sentiment`.
    static let yaml = GatewayHarness.singleModel + """

        prompts:
          - name: sentiment
            model: chat
            system: "You are a precise classifier. Answer in a {{tone}} tone."
            template: "Classify the sentiment of this text: {{text}}"
            variables:
              text: {type: string, required: true, max_length: 40}
              tone: {type: enum, values: [formal, casual], default: formal}
              score: {type: integer}
            parameters: {temperature: 0}
        """

    static let systemV1 = "You are a precise classifier. Answer in a formal tone."
    static let templateV1 = "Classify the sentiment of this text: "

    static func upstream() -> UpstreamDouble {
        UpstreamDouble { request in
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Posi", "tive"], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Positive"))
        }
    }

    // MARK: Helpers

    /// The last request the upstream received, decoded.
    static func lastSent(_ upstream: UpstreamDouble) -> [String: Any] {
        let text = upstream.requests.last?.text ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The messages of a chat request as `role: content` lines (content parts joined).
    static func conversation(_ body: [String: Any]) -> [String] {
        (body["messages"] as? [[String: Any]] ?? []).map { message in
            let role = message["role"] as? String ?? "?"
            var content = ""
            if let text = message["content"] as? String {
                content = text
            } else if let parts = message["content"] as? [[String: Any]] {
                content = parts.compactMap { $0["text"] as? String }.joined()
            }
            return "\(role): \(content)"
        }
    }

    static func param(_ reply: GatewayClient.Reply) -> String? { (reply.json["error"] as? [String: Any])?["param"] as? String }

    static func run(_ variables: String, extra: String = "") -> String { #"{"variables":\#(variables)\#(extra)}"# }

    /// Makes a team with the admin API; its id.
    static func team(_ gateway: GatewayClient, _ name: String) async throws -> String {
        let created = try await gateway.request("/admin/teams", body: #"{"name":"\#(name)"}"#)
        return try #require(created.json["id"] as? String, "\(created.body)")
    }

    /// Adds a version (the first makes the prompt) with the admin API; the reply must be 201.
    @discardableResult
    static func addPrompt(_ gateway: GatewayClient, _ body: String) async throws -> GatewayClient.Reply {
        let reply = try await gateway.request("/admin/prompts", body: body)
        #expect(reply.status == 201, "\(reply.body)")
        return reply
    }

    static func move(_ gateway: GatewayClient, _ name: String, _ verb: String, body: String? = nil) async throws -> GatewayClient.Reply {
        try await gateway.request("/admin/prompts/\(name)/\(verb)", body: body)
    }

    /// The `data` array of a list reply.
    static func data(_ reply: GatewayClient.Reply) -> [[String: Any]] { reply.json["data"] as? [[String: Any]] ?? [] }

    // MARK: 1. Running a configured prompt

    @Test("a prompt from the file runs as a chat completion: rendered unescaped, its parameters sent, the prompt named in a header")
    func configuredRun() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let key = try await gateway.createKey(#"{"name":"app"}"#)
                let reply = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"<b>&</b> \"q\" 'x'"}"#), key: key.secret)
                #expect(reply.status == 200, "\(reply.body)")
                let object = reply.json["object"] as? String
                let model = reply.json["model"] as? String
                #expect(object == "chat.completion" && model == "chat", "\(reply.body)")
                #expect(reply.headers.first(name: "x-switchyard-prompt") == "sentiment@1", "\(reply.headers)")
                let sent = Self.lastSent(upstream)
                let messages = Self.conversation(sent)
                #expect(messages == ["system: \(Self.systemV1)", #"user: \#(Self.templateV1)<b>&</b> "q" 'x'"#], "\(sent)")
                let temperature = sent["temperature"] as? Double
                let upstreamModel = sent["model"] as? String
                #expect(temperature == 0 && upstreamModel == "up-model", "\(sent)")
                #expect(sent["stream"] == nil, "\(sent)")

                // The enum's value, when given, replaces its default.
                let casual = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"ok","tone":"casual","score":3}"#))
                #expect(casual.status == 200, "\(casual.body)")
                let casualMessages = Self.conversation(Self.lastSent(upstream))
                #expect(casualMessages.first == "system: You are a precise classifier. Answer in a casual tone.", "\(casualMessages)")

                // Variables that are missing, of the wrong type, too long, not allowed or unknown: 400 naming them.
                let before = upstream.requests.count
                let refusals: [(String, String)] = [
                    (#"{}"#, "variables.text"),
                    (#"{"tone":"casual"}"#, "variables.text"),
                    (#"{"text":5}"#, "variables.text"),
                    (#"{"text":"\#(String(repeating: "a", count: 41))"}"#, "variables.text"),
                    (#"{"text":"ok","score":"high"}"#, "variables.score"),
                    (#"{"text":"ok","score":1.5}"#, "variables.score"),
                    (#"{"text":"ok","tone":"shouty"}"#, "variables.tone"),
                    (#"{"text":"ok","mood":"sad"}"#, "variables.mood"),
                ]
                for (variables, expected) in refusals {
                    let refused = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(variables), key: key.secret)
                    #expect(refused.status == 400 && Self.param(refused) == expected, "\(variables) → \(refused.body)")
                }
                let noVariables = try await gateway.request("/v1/prompts/sentiment/run", body: "{}")
                #expect(noVariables.status == 400 && Self.param(noVariables) == "variables.text", "\(noVariables.body)")
                let notObject = try await gateway.request("/v1/prompts/sentiment/run", body: #"{"variables":["ok"]}"#)
                #expect(notObject.status == 400 && Self.param(notObject) == "variables", "\(notObject.body)")
                let unknownField = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"ok"}"#, extra: #","temperature":1"#))
                #expect(unknownField.status == 400 && Self.param(unknownField) == "temperature", "\(unknownField.body)")
                let notJSON = try await gateway.request("/v1/prompts/sentiment/run", body: "variables")
                #expect(notJSON.status == 400, "\(notJSON.body)")

                // Unknown prompts and versions.
                let unknown = try await gateway.request("/v1/prompts/nope/run", body: Self.run(#"{"text":"ok"}"#), key: key.secret)
                #expect(unknown.status == 404, "\(unknown.body)")
                let noVersion = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"ok"}"#, extra: #","version":9"#))
                #expect(noVersion.status == 404 && Self.param(noVersion) == "version" && noVersion.errorMessage.contains("9"), "\(noVersion.body)")
                for bad in [#""one""#, "0", "-1", "1.5", "true"] {
                    let badVersion = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"ok"}"#, extra: #","version":\#(bad)"#))
                    #expect(badVersion.status == 400 && Self.param(badVersion) == "version", "\(bad) → \(badVersion.body)")
                }
                #expect(upstream.requests.count == before, "nothing refused reached the upstream")

                // A version as its decimal string (as OpenAI's SDK sends it), or as an integer.
                for version in [#""1""#, "1"] {
                    let versioned = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"ok"}"#, extra: #","version":\#(version)"#))
                    #expect(versioned.status == 200 && versioned.headers.first(name: "x-switchyard-prompt") == "sentiment@1", "\(versioned.body)")
                }

                // Streamed: server-sent events ending with [DONE], the upstream asked for a stream.
                let streamed = try await gateway.stream("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"ok"}"#, extra: #","stream":true"#), key: key.secret)
                #expect(streamed.status == 200, "\(streamed.text)")
                #expect(streamed.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true, "\(streamed.headers)")
                #expect(streamed.headers.first(name: "x-switchyard-prompt") == "sentiment@1", "\(streamed.headers)")
                let events = sseData(streamed.text)
                #expect(events.last == "[DONE]", "\(streamed.text)")
                #expect(streamed.text.contains("Posi") && streamed.text.contains("chat.completion.chunk"), "\(streamed.text)")
                let streamedSent = Self.lastSent(upstream)
                let streamFlag = streamedSent["stream"] as? Bool
                #expect(streamFlag == true, "\(streamedSent)")
                #expect(Self.conversation(streamedSent).last == "user: \(Self.templateV1)ok")
                let notBool = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"ok"}"#, extra: #","stream":"yes""#))
                #expect(notBool.status == 400 && Self.param(notBool) == "stream", "\(notBool.body)")
            }
        }
    }

    @Test("sections, lists, numbers, booleans and patterns render and check end to end, nothing escaped")
    func rendering() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                try await Self.addPrompt(
                    gateway,
                    #"""
                    {"name":"render","model":"chat",
                     "template":"{{#strict}}Strictly. {{/strict}}{{^strict}}Loosely. {{/strict}}Rate {{count}} of: {{text}} / {{{text}}}{{#tags}}\n- {{.}}{{/tags}}\nAll: {{tags}}; ratio {{ratio}}; missing [{{absent}}]",
                     "variables":{"strict":{"type":"boolean"},"count":{"type":"integer"},"text":{"type":"string"},"tags":{"type":"array"},
                                  "ratio":{"type":"number"},"absent":{"type":"string"},"code":{"type":"string","pattern":"[A-Z]{3}"}}}
                    """#)
                let reply = try await gateway.request(
                    "/v1/prompts/render/run",
                    body: Self.run(#"{"strict":true,"count":3.0,"text":"<a&b>","tags":["x<y","z"],"ratio":0.5,"code":"ABC"}"#))
                #expect(reply.status == 200, "\(reply.body)")
                let strict = Self.conversation(Self.lastSent(upstream))
                #expect(strict == ["user: Strictly. Rate 3 of: <a&b> / <a&b>\n- x<y\n- z\nAll: x<y, z; ratio 0.5; missing []"], "\(strict)")
                _ = try await gateway.request("/v1/prompts/render/run", body: Self.run(#"{"strict":false}"#))
                let loose = Self.conversation(Self.lastSent(upstream))
                #expect(loose == ["user: Loosely. Rate  of:  / \nAll: ; ratio ; missing []"], "\(loose)")
                for (variables, expected) in [
                    (#"{"code":"abc"}"#, "variables.code"), (#"{"tags":["a",1]}"#, "variables.tags"), (#"{"strict":"yes"}"#, "variables.strict"),
                    (#"{"ratio":"half"}"#, "variables.ratio"),
                ] {
                    let refused = try await gateway.request("/v1/prompts/render/run", body: Self.run(variables))
                    #expect(refused.status == 400 && Self.param(refused) == expected, "\(variables) → \(refused.body)")
                }
            }
        }
    }

    @Test("a run is a chat request: the key must be allowed the prompt's model, and Idempotency-Key replays the first answer")
    func runIsChatRequest() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let embedOnly = try await gateway.createKey(#"{"name":"embedder","models":["embed"]}"#)
                let forbidden = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"x"}"#), key: embedOnly.secret)
                #expect(forbidden.status == 403 && forbidden.errorCode == "model_not_allowed", "\(forbidden.body)")
                #expect(upstream.requests.isEmpty)

                let body = Self.run(#"{"text":"charge once"}"#)
                let first = try await gateway.request("/v1/prompts/sentiment/run", body: body, headers: [("Idempotency-Key", "p-1")])
                let retry = try await gateway.request("/v1/prompts/sentiment/run", body: body, headers: [("Idempotency-Key", "p-1")])
                #expect(first.status == 200 && retry.status == 200 && first.body == retry.body, "\(first.body) vs \(retry.body)")
                #expect(retry.headers.first(name: "idempotent-replayed") == "true", "\(retry.headers)")
                #expect(upstream.requests.count == 1)
                let other = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"else"}"#), headers: [("Idempotency-Key", "p-1")])
                #expect(other.status == 422 && other.errorCode == "idempotency_key_reused", "\(other.body)")
                // The user, metadata and stream options the client gives go with the request.
                let passed = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"x"}"#, extra: #","user":"u-7","metadata":{"a":"b"}"#))
                #expect(passed.status == 200, "\(passed.body)")
                let sent = Self.lastSent(upstream)
                let user = sent["user"] as? String
                #expect(user == "u-7", "\(sent)")
            }
        }
    }

    // MARK: 2. Versions

    @Test("POST /admin/prompts adds versions after the file's; runs get the active one; activate rolls back; diff shows the change")
    func versions() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let added = try await Self.addPrompt(
                    gateway, #"{"name":"sentiment","model":"chat","template":"Sentiment v2 of: {{text}}","variables":{"text":{"type":"string","required":true}}}"#)
                let version = added.json["version"] as? Int
                let active = added.json["active_version"] as? Int
                let state = added.json["state"] as? String
                let template = (added.json["definition"] as? [String: Any])?["template"] as? String
                #expect(version == 2 && active == 2 && state == "published", "a new version keeps the prompt's state: \(added.body)")
                #expect(template == "Sentiment v2 of: {{text}}", "\(added.body)")

                let shown = try await gateway.request(.GET, "/admin/prompts/sentiment")
                #expect(shown.status == 200, "\(shown.body)")
                let versions = shown.json["versions"] as? [[String: Any]] ?? []
                #expect(versions.compactMap { $0["version"] as? Int } == [1, 2], "\(shown.body)")
                #expect(versions.compactMap { $0["created_by"] as? String } == ["config", "master"], "\(shown.body)")
                let shownActive = shown.json["active_version"] as? Int
                let source = shown.json["source"] as? String
                #expect(shownActive == 2 && source == "config", "\(shown.body)")

                // Without a version, the active one (2) runs; version 1 still runs when named.
                let latest = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"great"}"#))
                #expect(latest.status == 200 && latest.headers.first(name: "x-switchyard-prompt") == "sentiment@2", "\(latest.headers)")
                let latestSent = Self.lastSent(upstream)
                #expect(Self.conversation(latestSent) == ["user: Sentiment v2 of: great"], "\(latestSent)")
                #expect(latestSent["temperature"] == nil, "version 2 has no parameters: \(latestSent)")
                let older = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"great"}"#, extra: #","version":1"#))
                #expect(older.headers.first(name: "x-switchyard-prompt") == "sentiment@1")
                #expect(Self.conversation(Self.lastSent(upstream)) == ["system: \(Self.systemV1)", "user: \(Self.templateV1)great"])
                // Version 2 declares no 'tone': giving it is refused, as for any undeclared variable.
                let undeclared = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"great","tone":"casual"}"#))
                #expect(undeclared.status == 400 && Self.param(undeclared) == "variables.tone", "\(undeclared.body)")

                // Rollback: activate version 1.
                let activated = try await gateway.request("/admin/prompts/sentiment/activate", body: #"{"version":1}"#)
                let activatedVersion = activated.json["active_version"] as? Int
                #expect(activated.status == 200 && activatedVersion == 1, "\(activated.body)")
                let rolledBack = try await gateway.request("/v1/prompts/sentiment/run", body: Self.run(#"{"text":"great"}"#))
                #expect(rolledBack.headers.first(name: "x-switchyard-prompt") == "sentiment@1", "\(rolledBack.headers)")
                #expect(Self.conversation(Self.lastSent(upstream)) == ["system: \(Self.systemV1)", "user: \(Self.templateV1)great"])
                let afterRollback = try await gateway.request(.GET, "/admin/prompts/sentiment")
                let afterRollbackActive = afterRollback.json["active_version"] as? Int
                #expect(afterRollbackActive == 1, "\(afterRollback.body)")
                let missingVersion = try await gateway.request("/admin/prompts/sentiment/activate", body: #"{"version":7}"#)
                #expect(missingVersion.status == 404 && Self.param(missingVersion) == "version", "\(missingVersion.body)")
                let noVersion = try await gateway.request("/admin/prompts/sentiment/activate", body: "{}")
                #expect(noVersion.status == 400 && Self.param(noVersion) == "version", "\(noVersion.body)")
                let stringVersion = try await gateway.request("/admin/prompts/sentiment/activate", body: #"{"version":"2"}"#)
                let stringActive = stringVersion.json["active_version"] as? Int
                #expect(stringVersion.status == 200 && stringActive == 2, "\(stringVersion.body)")
                #expect(try await gateway.request("/admin/prompts/nope/activate", body: #"{"version":1}"#).status == 404)

                // The diff names each changed field; text fields get their lines.
                let diff = try await gateway.request(.GET, "/admin/prompts/sentiment/diff?from=1&to=2")
                #expect(diff.status == 200, "\(diff.body)")
                let from = diff.json["from"] as? Int
                let to = diff.json["to"] as? Int
                #expect(from == 1 && to == 2, "\(diff.body)")
                let changes = diff.json["changes"] as? [[String: Any]] ?? []
                #expect(changes.compactMap { $0["field"] as? String } == ["parameters", "system", "template", "variables"], "\(diff.body)")
                let templateChange = changes.first { $0["field"] as? String == "template" }
                let templateLines = templateChange?["lines"] as? [String]
                #expect(templateLines == ["- Classify the sentiment of this text: {{text}}", "+ Sentiment v2 of: {{text}}"], "\(diff.body)")
                let templateTo = templateChange?["to"] as? String
                #expect(templateTo == "Sentiment v2 of: {{text}}", "\(diff.body)")
                let systemLines = changes.first { $0["field"] as? String == "system" }?["lines"] as? [String]
                #expect(systemLines == ["- You are a precise classifier. Answer in a {{tone}} tone."], "\(diff.body)")
                let same = try await gateway.request(.GET, "/admin/prompts/sentiment/diff?from=2&to=2")
                let sameChanges = same.json["changes"] as? [Any]
                #expect(same.status == 200 && sameChanges?.isEmpty == true, "\(same.body)")
                let noFrom = try await gateway.request(.GET, "/admin/prompts/sentiment/diff?to=2")
                #expect(noFrom.status == 400 && Self.param(noFrom) == "from", "\(noFrom.body)")
                let badTo = try await gateway.request(.GET, "/admin/prompts/sentiment/diff?from=1&to=9")
                #expect(badTo.status == 404 && Self.param(badTo) == "to", "\(badTo.body)")

                let list = try await gateway.request(.GET, "/admin/prompts")
                #expect(list.status == 200, "\(list.body)")
                #expect(Self.data(list).compactMap { $0["name"] as? String } == ["sentiment"], "\(list.body)")
            }
        }
    }

    @Test("invalid definitions are refused with 400 naming the field, and add no version")
    func invalidDefinitions() async throws {
        try await GatewayHarness.withGateway(yaml: Self.yaml) { gateway in
            let cases: [(String, String)] = [
                (#"{"name":"x1","template":"hi"}"#, "model"),
                (#"{"name":"x1","model":"nope","template":"hi"}"#, "model"),
                (#"{"name":"x1","model":"chat"}"#, "template"),
                (#"{"name":"x1","model":"chat","template":"{{#x}}"}"#, "template"),
                (#"{"name":"x1","model":"chat","template":"hi","system":"{{/y}}"}"#, "system"),
                (#"{"name":"x1","model":"chat","template":"hi","colour":"red"}"#, "colour"),
                (#"{"name":"x1","model":"chat","template":"hi","parameters":{"stream":true}}"#, "parameters.stream"),
                (#"{"name":"x1","model":"chat","template":"hi","variables":{"t":{"type":"date"}}}"#, "variables.t.type"),
                (#"{"name":"x1","model":"chat","template":"hi","variables":{"t":{"type":"enum","values":["a"],"default":"b"}}}"#, "variables.t.default"),
                (#"{"name":"bad name","model":"chat","template":"hi"}"#, "name"),
                (#"{"name":"a/b","model":"chat","template":"hi"}"#, "name"),
                (#"{"model":"chat","template":"hi"}"#, "name"),
                (#"{"name":"x1","model":"chat","template":"hi","visibility":"some"}"#, "visibility"),
                (#"{"name":"x1","model":"chat","template":"hi","teams":["team_nope"]}"#, "teams"),
                (#"{"name":"x1","model":"chat","template":"hi","subscription_required":"yes"}"#, "subscription_required"),
                (#"{"name":"sentiment","model":"nope","template":"hi"}"#, "model"),
            ]
            for (body, field) in cases {
                let reply = try await gateway.request("/admin/prompts", body: body)
                #expect(reply.status == 400 && Self.param(reply) == field, "\(body) → \(reply.body)")
            }
            let notJSON = try await gateway.request("/admin/prompts", body: "{")
            #expect(notJSON.status == 400, "\(notJSON.body)")
            #expect(try await gateway.request(.GET, "/admin/prompts/x1").status == 404, "nothing was made")
            let sentiment = try await gateway.request(.GET, "/admin/prompts/sentiment")
            let versions = (sentiment.json["versions"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? Int }
            #expect(versions == [1], "a refused version is not added: \(sentiment.body)")

            // Only the master key administers prompts.
            let key = try await gateway.createKey(#"{"name":"app"}"#)
            let byKey = try await gateway.request("/admin/prompts", body: #"{"name":"x2","model":"chat","template":"hi"}"#, key: key.secret)
            #expect(byKey.status == 401 || byKey.status == 403, "\(byKey.body)")
            let listByKey = try await gateway.request(.GET, "/admin/prompts", key: key.secret)
            #expect(listByKey.status == 401 || listByKey.status == 403, "\(listByKey.body)")
        }
    }

    // MARK: 3. Lifecycle

    @Test("draft, published, deprecated with Deprecation and Sunset headers, retired with 410; moves a state does not allow are 409")
    func lifecycle() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let key = try await gateway.createKey(#"{"name":"app"}"#)
                let definition = #""model":"chat","template":"Summarize: {{text}}","variables":{"text":{"type":"string"}}"#
                let created = try await Self.addPrompt(gateway, #"{"name":"summary",\#(definition)}"#)
                let createdState = created.json["state"] as? String
                let createdVersion = created.json["version"] as? Int
                let createdSource = created.json["source"] as? String
                #expect(createdState == "draft" && createdVersion == 1 && createdSource == "api", "\(created.body)")
                let body = Self.run(#"{"text":"a long story"}"#)

                // A draft: the master key only.
                let draftByKey = try await gateway.request("/v1/prompts/summary/run", body: body, key: key.secret)
                #expect(draftByKey.status == 404, "\(draftByKey.body)")
                let draftByMaster = try await gateway.request("/v1/prompts/summary/run", body: body)
                #expect(draftByMaster.status == 200 && draftByMaster.headers.first(name: "x-switchyard-prompt") == "summary@1", "\(draftByMaster.body)")
                #expect(Self.conversation(Self.lastSent(upstream)) == ["user: Summarize: a long story"])
                let draftDeprecated = try await Self.move(gateway, "summary", "deprecate")
                #expect(draftDeprecated.status == 409, "a draft is not deprecated: \(draftDeprecated.body)")

                // Published: every key.
                let published = try await Self.move(gateway, "summary", "publish")
                let publishedState = published.json["state"] as? String
                #expect(published.status == 200 && publishedState == "published", "\(published.body)")
                let publishedRun = try await gateway.request("/v1/prompts/summary/run", body: body, key: key.secret)
                #expect(publishedRun.status == 200, "\(publishedRun.body)")
                #expect(publishedRun.headers.first(name: "deprecation") == nil && publishedRun.headers.first(name: "sunset") == nil)

                // Deprecated with a sunset date: still runs, with both headers.
                let badSunset = try await Self.move(gateway, "summary", "deprecate", body: #"{"sunset":"soon"}"#)
                #expect(badSunset.status == 400 && Self.param(badSunset) == "sunset", "\(badSunset.body)")
                let deprecated = try await Self.move(gateway, "summary", "deprecate", body: #"{"sunset":"2027-06-01"}"#)
                let deprecatedState = deprecated.json["state"] as? String
                let sunset = deprecated.json["sunset"] as? String
                #expect(deprecated.status == 200 && deprecatedState == "deprecated" && sunset == "2027-06-01T00:00:00Z", "\(deprecated.body)")
                let deprecatedRun = try await gateway.request("/v1/prompts/summary/run", body: body, key: key.secret)
                #expect(deprecatedRun.status == 200, "\(deprecatedRun.body)")
                let deprecation = deprecatedRun.headers.first(name: "deprecation") ?? ""
                #expect(deprecation.hasPrefix("@"), "\(deprecatedRun.headers)")
                let deprecatedAt = Double(deprecation.dropFirst()) ?? 0
                #expect(abs(deprecatedAt - Date().timeIntervalSince1970) < 300, "the time it was deprecated: \(deprecation)")
                #expect(deprecatedRun.headers.first(name: "sunset") == "Tue, 01 Jun 2027 00:00:00 GMT", "\(deprecatedRun.headers)")
                let streamed = try await gateway.stream("/v1/prompts/summary/run", body: Self.run(#"{"text":"x"}"#, extra: #","stream":true"#), key: key.secret)
                #expect(streamed.status == 200 && streamed.headers.first(name: "sunset") == "Tue, 01 Jun 2027 00:00:00 GMT", "\(streamed.headers)")

                // A new version keeps the state (and the sunset).
                let second = try await Self.addPrompt(gateway, #"{"name":"summary","model":"chat","template":"Summarize briefly: {{text}}","variables":{"text":{}}}"#)
                let secondState = second.json["state"] as? String
                let secondVersion = second.json["version"] as? Int
                #expect(secondState == "deprecated" && secondVersion == 2, "\(second.body)")
                let secondRun = try await gateway.request("/v1/prompts/summary/run", body: body, key: key.secret)
                #expect(secondRun.status == 200 && secondRun.headers.first(name: "x-switchyard-prompt") == "summary@2", "\(secondRun.headers)")
                #expect(secondRun.headers.first(name: "sunset") == "Tue, 01 Jun 2027 00:00:00 GMT", "\(secondRun.headers)")
                #expect(Self.conversation(Self.lastSent(upstream)) == ["user: Summarize briefly: a long story"])

                // Published again: no headers; deprecated without a date: Deprecation only.
                let republished = try await Self.move(gateway, "summary", "publish")
                #expect(republished.status == 200 && republished.json["sunset"] is NSNull, "\(republished.body)")
                let republishedRun = try await gateway.request("/v1/prompts/summary/run", body: body, key: key.secret)
                #expect(republishedRun.headers.first(name: "deprecation") == nil, "\(republishedRun.headers)")
                #expect(try await Self.move(gateway, "summary", "deprecate").status == 200)
                let undated = try await gateway.request("/v1/prompts/summary/run", body: body, key: key.secret)
                #expect(undated.headers.first(name: "deprecation")?.hasPrefix("@") == true, "\(undated.headers)")
                #expect(undated.headers.first(name: "sunset") == nil, "\(undated.headers)")

                // Retired: 410 for everyone, and final.
                let retired = try await Self.move(gateway, "summary", "retire")
                let retiredState = retired.json["state"] as? String
                #expect(retired.status == 200 && retiredState == "retired", "\(retired.body)")
                let before = upstream.requests.count
                for secret in [key.secret, GatewayHarness.masterKey] {
                    let gone = try await gateway.request("/v1/prompts/summary/run", body: body, key: secret)
                    #expect(gone.status == 410 && gone.errorCode == "prompt_retired", "\(gone.body)")
                }
                for verb in ["publish", "deprecate", "retire"] {
                    let refused = try await Self.move(gateway, "summary", verb)
                    #expect(refused.status == 409, "\(verb) after retire: \(refused.body)")
                }
                let third = try await Self.addPrompt(gateway, #"{"name":"summary",\#(definition)}"#)
                let thirdState = third.json["state"] as? String
                #expect(thirdState == "retired", "\(third.body)")
                let stillGone = try await gateway.request("/v1/prompts/summary/run", body: body)
                #expect(stillGone.status == 410 && stillGone.errorCode == "prompt_retired", "\(stillGone.body)")
                #expect(upstream.requests.count == before, "a retired prompt reaches no upstream")
                let shown = try await gateway.request(.GET, "/admin/prompts/summary")
                let shownState = shown.json["state"] as? String
                #expect(shownState == "retired", "\(shown.body)")

                #expect(try await Self.move(gateway, "nope", "publish").status == 404)
                let byKey = try await gateway.request("/admin/prompts/summary/publish", key: key.secret)
                #expect(byKey.status == 401 || byKey.status == 403, "\(byKey.body)")
            }
        }
    }

    // MARK: 4. Visibility

    @Test("a prompt shown to some teams is 404 for every other key; the master key sees it; a new version can widen it")
    func visibility() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let teamA = try await Self.team(gateway, "a")
                let teamB = try await Self.team(gateway, "b")
                let keyA = try await gateway.createKey(#"{"name":"ka","team":"\#(teamA)"}"#).secret
                let keyB = try await gateway.createKey(#"{"name":"kb","team":"\#(teamB)"}"#).secret
                let loner = try await gateway.createKey(#"{"name":"loner"}"#).secret
                let definition = #""model":"chat","template":"Internal: {{text}}","variables":{"text":{}}"#
                let created = try await Self.addPrompt(gateway, #"{"name":"internal",\#(definition),"visibility":"teams","teams":["\#(teamA)"]}"#)
                let visibility = created.json["visibility"] as? String
                let teams = created.json["teams"] as? [String]
                #expect(visibility == "teams" && teams == [teamA], "\(created.body)")
                #expect(try await Self.move(gateway, "internal", "publish").status == 200)

                let body = Self.run(#"{"text":"memo"}"#)
                let byA = try await gateway.request("/v1/prompts/internal/run", body: body, key: keyA)
                #expect(byA.status == 200, "\(byA.body)")
                let byB = try await gateway.request("/v1/prompts/internal/run", body: body, key: keyB)
                #expect(byB.status == 404, "\(byB.body)")
                let byLoner = try await gateway.request("/v1/prompts/internal/run", body: body, key: loner)
                #expect(byLoner.status == 404, "\(byLoner.body)")
                let byMaster = try await gateway.request("/v1/prompts/internal/run", body: body)
                #expect(byMaster.status == 200, "\(byMaster.body)")
                // As if it did not exist: the same answer as for a prompt that does not.
                let missing = try await gateway.request("/v1/prompts/ghost/run", body: body, key: keyB)
                #expect(byB.errorMessage.replacingOccurrences(of: "internal", with: "ghost") == missing.errorMessage, "\(byB.body) vs \(missing.body)")
                let subscribeB = try await gateway.request("/v1/prompts/internal/subscription", key: keyB)
                #expect(subscribeB.status == 404, "\(subscribeB.body)")
                let responsesB = try await gateway.request(
                    "/v1/responses", body: #"{"prompt":{"id":"internal","variables":{"text":"memo"}}}"#, key: keyB)
                #expect(responsesB.status == 404, "\(responsesB.body)")

                // A new version shows it to every team.
                let widened = try await Self.addPrompt(gateway, #"{"name":"internal",\#(definition),"visibility":"all"}"#)
                let widenedVisibility = widened.json["visibility"] as? String
                #expect(widenedVisibility == "all", "\(widened.body)")
                let byBNow = try await gateway.request("/v1/prompts/internal/run", body: body, key: keyB)
                #expect(byBNow.status == 200, "\(byBNow.body)")
                let history = Self.data(try await gateway.request(.GET, "/admin/prompts/internal/history"))
                #expect(history.contains { $0["action"] as? String == "access_changed" }, "\(history)")
            }
        }
    }

    // MARK: 5. Subscriptions, 8. History

    @Test("a prompt that requires a subscription runs for a team once its subscription is approved; history records every step")
    func subscriptions() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let teamA = try await Self.team(gateway, "a")
                let teamB = try await Self.team(gateway, "b")
                let keyA = try await gateway.createKey(#"{"name":"ka","team":"\#(teamA)"}"#)
                let keyA2 = try await gateway.createKey(#"{"name":"ka2","team":"\#(teamA)"}"#)
                let keyB = try await gateway.createKey(#"{"name":"kb","team":"\#(teamB)"}"#)
                let loner = try await gateway.createKey(#"{"name":"loner"}"#)
                let created = try await Self.addPrompt(
                    gateway, #"{"name":"gated","model":"chat","template":"Gated: {{text}}","variables":{"text":{}},"subscription_required":true}"#)
                let required = created.json["subscription_required"] as? Bool
                #expect(required == true, "\(created.body)")
                #expect(try await Self.move(gateway, "gated", "publish").status == 200)
                let body = Self.run(#"{"text":"x"}"#)

                for secret in [keyA.secret, loner.secret] {
                    let refused = try await gateway.request("/v1/prompts/gated/run", body: body, key: secret)
                    #expect(refused.status == 403 && refused.errorCode == "subscription_required", "\(refused.body)")
                }
                let master = try await gateway.request("/v1/prompts/gated/run", body: body)
                #expect(master.status == 200, "the master key needs no subscription: \(master.body)")

                // Team A asks; asking again (with any of its keys) gives the same subscription back.
                let asked = try await gateway.request("/v1/prompts/gated/subscription", key: keyA.secret)
                #expect(asked.status == 201, "\(asked.body)")
                let subscriptionA = try #require(asked.json["id"] as? String, "\(asked.body)")
                let askedStatus = asked.json["status"] as? String
                let askedTeam = asked.json["team_id"] as? String
                let askedPrompt = asked.json["prompt"] as? String
                #expect(askedStatus == "pending" && askedTeam == teamA && askedPrompt == "gated", "\(asked.body)")
                for secret in [keyA.secret, keyA2.secret] {
                    let again = try await gateway.request("/v1/prompts/gated/subscription", key: secret)
                    let againID = again.json["id"] as? String
                    #expect(again.status == 200 && againID == subscriptionA, "\(again.body)")
                }
                let lonerAsks = try await gateway.request("/v1/prompts/gated/subscription", key: loner.secret)
                #expect(lonerAsks.status == 400, "a key without a team cannot subscribe: \(lonerAsks.body)")
                let masterAsks = try await gateway.request("/v1/prompts/gated/subscription")
                #expect(masterAsks.status == 400, "\(masterAsks.body)")
                #expect(try await gateway.request("/v1/prompts/ghost/subscription", key: keyA.secret).status == 404)
                let askedB = try await gateway.request("/v1/prompts/gated/subscription", key: keyB.secret)
                #expect(askedB.status == 201, "\(askedB.body)")
                let subscriptionB = try #require(askedB.json["id"] as? String)
                #expect(subscriptionB != subscriptionA)
                let stillRefused = try await gateway.request("/v1/prompts/gated/run", body: body, key: keyA.secret)
                #expect(stillRefused.status == 403 && stillRefused.errorCode == "subscription_required", "pending is not approved: \(stillRefused.body)")

                let pending = try await gateway.request(.GET, "/admin/subscriptions?status=pending")
                #expect(pending.status == 200, "\(pending.body)")
                #expect(Set(Self.data(pending).compactMap { $0["id"] as? String }) == [subscriptionA, subscriptionB], "\(pending.body)")
                let badStatus = try await gateway.request(.GET, "/admin/subscriptions?status=maybe")
                #expect(badStatus.status == 400 && Self.param(badStatus) == "status", "\(badStatus.body)")
                let byKey = try await gateway.request(.GET, "/admin/subscriptions", key: keyA.secret)
                #expect(byKey.status == 401 || byKey.status == 403, "\(byKey.body)")

                // Approved for A, rejected for B.
                let approved = try await gateway.request("/admin/subscriptions/\(subscriptionA)/approve")
                let approvedStatus = approved.json["status"] as? String
                #expect(approved.status == 200 && approvedStatus == "approved", "\(approved.body)")
                for secret in [keyA.secret, keyA2.secret] {
                    let allowed = try await gateway.request("/v1/prompts/gated/run", body: body, key: secret)
                    #expect(allowed.status == 200, "\(allowed.body)")
                }
                let rejected = try await gateway.request("/admin/subscriptions/\(subscriptionB)/reject")
                let rejectedStatus = rejected.json["status"] as? String
                #expect(rejected.status == 200 && rejectedStatus == "rejected", "\(rejected.body)")
                let refusedB = try await gateway.request("/v1/prompts/gated/run", body: body, key: keyB.secret)
                #expect(refusedB.status == 403 && refusedB.errorCode == "subscription_required", "\(refusedB.body)")
                let approvedList = Self.data(try await gateway.request(.GET, "/admin/subscriptions?status=approved"))
                #expect(approvedList.compactMap { $0["id"] as? String } == [subscriptionA], "\(approvedList)")
                #expect(Self.data(try await gateway.request(.GET, "/admin/subscriptions?status=pending")).isEmpty)
                #expect(Self.data(try await gateway.request(.GET, "/admin/subscriptions")).count == 2)
                #expect(try await gateway.request("/admin/subscriptions/sub_nope/approve").status == 404)

                // History: every change with who made it.
                let history = try await gateway.request(.GET, "/admin/prompts/gated/history")
                #expect(history.status == 200, "\(history.body)")
                let events = Self.data(history)
                let actions = events.compactMap { $0["action"] as? String }
                #expect(
                    actions == [
                        "created", "version_added", "published", "subscription_requested", "subscription_requested", "subscription_approved",
                        "subscription_rejected",
                    ], "\(history.body)")
                let actors = events.compactMap { $0["actor"] as? String }
                #expect(actors == ["master", "master", "master", keyA.id, keyB.id, "master", "master"], "\(history.body)")
                let details = events.map { $0["detail"] as? String ?? "" }
                #expect(details.suffix(4) == ["team \(teamA)", "team \(teamB)", "team \(teamA)", "team \(teamB)"], "\(history.body)")
                let added = events.first { $0["action"] as? String == "version_added" }
                let addedVersion = added?["version"] as? Int
                #expect(addedVersion == 1, "\(history.body)")
                #expect(events.allSatisfy { ($0["time"] as? String).flatMap { ISO8601Input.date($0) } != nil }, "\(history.body)")
                #expect(try await gateway.request(.GET, "/admin/prompts/ghost/history").status == 404)
            }
        }
    }

    // MARK: 6. Attribution

    @Test("runs are counted per prompt, version and status, and their usage is grouped by prompt")
    func attribution() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-prompts-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let upstream = Self.upstream()
        try await upstream.run { base in
            var configuration = try GatewayHarness.configuration(yaml: Self.yaml, upstream: base, storage: .sqliteFile(path: path))
            configuration.server.host = "127.0.0.1"
            let keyID = try await GatewayHarness.withGateway(configuration: configuration) { gateway in
                let key = try await gateway.createKey(#"{"name":"app"}"#)
                let body = Self.run(#"{"text":"fine"}"#)
                #expect(try await gateway.request("/v1/prompts/sentiment/run", body: body).status == 200)
                #expect(try await gateway.request("/v1/prompts/sentiment/run", body: body, key: key.secret).status == 200)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: key.secret).status == 200)
                #expect(try await gateway.request("/v1/prompts/sentiment/run", body: Self.run("{}"), key: key.secret).status == 400)
                let metrics = try await gateway.request(.GET, "/metrics", key: nil).body
                #expect(metrics.contains(#"switchyard_prompt_runs_total{prompt="sentiment",version="1",status="200"} 2"#), "\(metrics)")
                #expect(metrics.contains(#"switchyard_prompt_runs_total{prompt="sentiment",version="1",status="400"} 1"#), "\(metrics)")
                return key.id
            }
            // The usage writer is drained when the gateway stops: a second gateway on the same database reads what
            // the first recorded, with no waiting.
            try await GatewayHarness.withGateway(configuration: configuration) { gateway in
                let byPrompt = try await gateway.request(.GET, "/admin/usage?group_by=prompt")
                #expect(byPrompt.status == 200, "\(byPrompt.body)")
                let rows = Self.data(byPrompt)
                let sentiment = rows.first { $0["group"] as? String == "sentiment" }
                let requests = sentiment?["requests"] as? Int
                let promptTokens = sentiment?["prompt_tokens"] as? Int ?? 0
                #expect(requests == 2 && promptTokens > 0, "\(byPrompt.body)")
                let filtered = try await gateway.request(.GET, "/admin/usage?prompt=sentiment&key_id=\(keyID)")
                let filteredRequests = Self.data(filtered).first?["requests"] as? Int
                #expect(filteredRequests == 1, "\(filtered.body)")
                let all = try await gateway.request(.GET, "/admin/usage?key_id=\(keyID)")
                let allRequests = Self.data(all).first?["requests"] as? Int
                #expect(allRequests == 2, "the plain chat completion is not the prompt's: \(all.body)")
                let logs = try await gateway.request(.GET, "/admin/logs?key_id=\(keyID)")
                #expect(Self.data(logs).count == 3, "\(logs.body)")
                let prompts = Self.data(logs).compactMap { $0["prompt"] as? String }
                #expect(prompts == ["sentiment@1", "sentiment@1"], "the refused run and the prompt run, newest first: \(logs.body)")
            }
        }
    }

    // MARK: 7. Responses API

    @Test("the Responses API's prompt renders from the same store and fills the model and parameters")
    func responses() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let reply = try await gateway.request(
                    "/v1/responses", body: #"{"prompt":{"id":"sentiment","version":"1","variables":{"text":"nice"}}}"#)
                #expect(reply.status == 200, "\(reply.body)")
                let model = reply.json["model"] as? String
                let object = reply.json["object"] as? String
                #expect(model == "chat" && object == "response", "\(reply.body)")
                let sent = Self.lastSent(upstream)
                #expect(Self.conversation(sent) == ["system: \(Self.systemV1)", "user: \(Self.templateV1)nice"], "\(sent)")
                let temperature = sent["temperature"] as? Double
                #expect(temperature == 0, "\(sent)")

                // input_text variables, the request's own instructions and input after the prompt's.
                let combined = try await gateway.request(
                    "/v1/responses",
                    body: #"""
                        {"prompt":{"id":"sentiment","variables":{"text":{"type":"input_text","text":"<i>fine</i>"},"tone":"casual"}},
                         "instructions":"Be brief.","input":"Also this.","temperature":0.7}
                        """#)
                #expect(combined.status == 200, "\(combined.body)")
                let combinedSent = Self.lastSent(upstream)
                #expect(
                    Self.conversation(combinedSent) == [
                        "system: You are a precise classifier. Answer in a casual tone.\n\nBe brief.", "user: \(Self.templateV1)<i>fine</i>",
                        "user: Also this.",
                    ], "\(combinedSent)")
                let givenTemperature = combinedSent["temperature"] as? Double
                #expect(givenTemperature == 0.7, "the request's own parameters win: \(combinedSent)")

                let before = upstream.requests.count
                let unknown = try await gateway.request("/v1/responses", body: #"{"prompt":{"id":"nope","variables":{}}}"#)
                #expect(unknown.status == 404, "\(unknown.body)")
                let noVersion = try await gateway.request("/v1/responses", body: #"{"prompt":{"id":"sentiment","version":"9","variables":{"text":"x"}}}"#)
                #expect(noVersion.status == 404, "\(noVersion.body)")
                let missing = try await gateway.request("/v1/responses", body: #"{"prompt":{"id":"sentiment","variables":{}}}"#)
                #expect(missing.status == 400 && Self.param(missing) == "variables.text", "\(missing.body)")
                let noID = try await gateway.request("/v1/responses", body: #"{"prompt":{"variables":{}}}"#)
                #expect(noID.status == 400, "\(noID.body)")
                #expect(upstream.requests.count == before, "nothing refused reached the upstream")

                // A draft is the master key's only, here as for runs.
                try await Self.addPrompt(gateway, #"{"name":"drafted","model":"chat","template":"Draft {{text}}","variables":{"text":{}}}"#)
                let key = try await gateway.createKey(#"{"name":"app"}"#)
                let draftBody = #"{"prompt":{"id":"drafted","variables":{"text":"x"}}}"#
                #expect(try await gateway.request("/v1/responses", body: draftBody, key: key.secret).status == 404)
                #expect(try await gateway.request("/v1/responses", body: draftBody).status == 200)
            }
        }
    }
}
