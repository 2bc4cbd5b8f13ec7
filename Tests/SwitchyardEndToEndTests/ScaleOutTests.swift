import Foundation
import NIOHTTP1
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Three `switchyard serve` processes on one PostgreSQL database, behind a client that spreads requests over them
/// in turn, as a load balancer would.
@Suite("Scale-out: three processes sharing PostgreSQL", .serialized, .enabled(if: PostgresTestDatabase.url != nil))
struct ScaleOutTests {
    static let masterKey = GatewayHarness.masterKey

    /// The upstream's answers: `slow-model` streams a chunk every 100 ms for 10 s, `hang-model` never answers,
    /// anything else answers at once.
    static func upstream() -> UpstreamDouble {
        UpstreamDouble { request in
            switch request.model {
            case "hang-model":
                return .silence(.seconds(60))
            case "slow-model":
                let pieces = (0..<100).map { "word\($0) " }
                let chunks = OpenAIWireSamples.chatChunks(model: "slow-model", pieces: pieces, includeUsage: true)
                return .events(chunks.map { .data($0, after: .milliseconds(100)) } + [.done])
            default:
                if request.text.contains(#""stream":true"#) {
                    let chunks = OpenAIWireSamples.chatChunks(model: request.model ?? "", pieces: ["Hello", "!"], includeUsage: true)
                    return .events(chunks.map { .data($0) } + [.done])
                }
                return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? ""))
            }
        }
    }

    /// The replicas' configuration file, in a fresh directory.
    static func configurationFile(storage: String, upstream: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-scale-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("switchyard.yaml").path
        try """
            server: {host: 127.0.0.1, master_key: \(masterKey), shutdown_grace_seconds: 2}
            storage: {url: "\(storage)", sync_interval_seconds: 0.3}
            responses: {lease_seconds: 2}
            cache: {enabled: true, ttl_seconds: 600}
            providers:
              - {name: up, type: openai, base_url: "\(upstream)", api_key: sk-upstream-key, timeout_seconds: 120}
            models:
              - name: chat
                targets: [{provider: up, model: up-model, price: {input: 1, output: 2}}]
              - name: fresh
                cache: {enabled: false}
                targets: [{provider: up, model: up-model, price: {input: 1, output: 2}}]
              - name: slow
                cache: {enabled: false}
                targets: [{provider: up, model: slow-model, price: {input: 1, output: 2}}]
              - name: hang
                cache: {enabled: false}
                targets: [{provider: up, model: hang-model}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Whether `condition` holds within `limit`.
    static func eventually(within limit: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// Runs `body` with `count` replicas of the configuration file (whose path it gets too), on a fresh database,
    /// in front of the upstream double.
    static func withReplicas(_ count: Int, _ body: @escaping (ReplicaSet, String) async throws -> Void) async throws {
        let upstream = Self.upstream()
        try await upstream.run { (base: String) async throws -> Void in
            try await PostgresTestDatabase.with { (location: StorageLocation) async throws -> Void in
                guard case .postgres(let url) = location else { return }
                let path = try Self.configurationFile(storage: url, upstream: base)
                try await ReplicaSet.with(count: count, configurationPath: path) { (cluster: ReplicaSet) async throws -> Void in
                    try await body(cluster, path)
                }
            }
        }
    }

    @Test("keys, teams, budgets, rate limits, responses, conversations, cache entries and prompts are shared; a deleted key stops everywhere")
    func shared() async throws {
        try await Self.withReplicas(3) { cluster, _ in
            let r1 = cluster.replicas[0].client
            let r2 = cluster.replicas[1].client
            let r3 = cluster.replicas[2].client

            // Teams and keys made on one replica work on the others.
            let team = try await r3.request("/admin/teams", body: #"{"name":"platform"}"#)
            let teamID = try #require(team.json["id"] as? String, "\(team.body)")
            #expect(try await r1.request(.GET, "/admin/teams/\(teamID)").status == 200)
            let (keyID, key) = try await r1.createKey(#"{"name":"shared","team":"\#(teamID)"}"#)
            for replica in [r2, r3] {
                #expect(try await Self.eventually { try await replica.request(.GET, "/v1/models", key: key).status == 200 })
            }

            // Responses and conversations continue on any replica.
            let created = try await r1.request("/v1/responses", body: #"{"model":"fresh","input":"Hi"}"#, key: key)
            let responseID = try #require(created.json["id"] as? String, "\(created.body)")
            let retrieved = try await r2.request(.GET, "/v1/responses/\(responseID)", key: key)
            #expect(retrieved.status == 200 && retrieved.json["status"] as? String == "completed", "\(retrieved.body)")
            let continued = try await r3.request(
                "/v1/responses", body: #"{"model":"fresh","input":"More","previous_response_id":"\#(responseID)"}"#, key: key)
            #expect(continued.status == 200, "\(continued.body)")
            let conversation = try await r1.request("/v1/conversations", body: #"{"items":[{"type":"message","role":"user","content":"first"}]}"#, key: key)
            let conversationID = try #require(conversation.json["id"] as? String, "\(conversation.body)")
            let added = try await r2.request(
                "/v1/conversations/\(conversationID)/items", body: #"{"items":[{"type":"message","role":"user","content":"second"}]}"#, key: key)
            #expect(added.status == 200, "\(added.body)")
            let items = try await r3.request(.GET, "/v1/conversations/\(conversationID)/items?order=asc", key: key)
            #expect((items.json["data"] as? [[String: Any]])?.count == 2, "\(items.body)")

            // A cached answer made on one replica is a hit on another.
            let question = chatBody(extra: #","temperature":0.25"#)
            #expect(try await r1.request("/v1/chat/completions", body: question, key: key).headers.first(name: "x-switchyard-cache") == "miss")
            #expect(try await Self.eventually {
                try await r2.request("/v1/chat/completions", body: question, key: key).headers.first(name: "x-switchyard-cache") == "hit"
            })

            // A prompt made on one replica runs on another.
            let prompt = try await r1.request(
                "/admin/prompts", body: #"{"name":"greet","model":"fresh","template":"Greet {{who}}","variables":{"who":{"type":"string","required":true}}}"#)
            #expect(prompt.status == 201, "\(prompt.body)")
            #expect(try await r2.request("/admin/prompts/greet/publish", body: "{}").status == 200)
            let run = try await r3.request("/v1/prompts/greet/run", body: #"{"variables":{"who":"Ada"}}"#, key: key)
            #expect(run.status == 200, "\(run.body)")

            // A budget spent through one replica is refused by the others once they have synced.
            let (_, thrifty) = try await r1.createKey(#"{"name":"thrifty","max_budget_usd":0.00003}"#)
            #expect(try await Self.eventually { try await r2.request(.GET, "/v1/models", key: thrifty).status == 200 })
            #expect(try await r1.request("/v1/chat/completions", body: chatBody(model: "fresh"), key: thrifty).status == 200)
            for replica in [r2, r3] {
                #expect(try await Self.eventually {
                    try await replica.request("/v1/chat/completions", body: chatBody(model: "fresh"), key: thrifty).status == 429
                })
            }

            // A rate limit holds across replicas within its bound: each replica admits at most the limit, and
            // once the counters are exchanged every replica refuses.
            let (_, limited) = try await r2.createKey(#"{"name":"limited","rpm":6}"#)
            for replica in [r1, r3] {
                #expect(try await Self.eventually { try await replica.request(.GET, "/v1/models", key: limited).status == 200 })
            }
            var admitted = 0
            for _ in 0..<30 {
                if try await cluster.next.request("/v1/chat/completions", body: chatBody(model: "fresh"), key: limited).status == 200 { admitted += 1 }
            }
            #expect((6...18).contains(admitted), "\(admitted) admitted")
            for replica in [r1, r2, r3] {
                #expect(try await Self.eventually {
                    try await replica.request("/v1/chat/completions", body: chatBody(model: "fresh"), key: limited).status == 429
                })
            }

            // A key deleted on one replica stops working on all of them within the sync period.
            #expect(try await r2.request(.DELETE, "/admin/keys/\(keyID)").status == 204)
            for replica in [r1, r2, r3] {
                #expect(try await Self.eventually(within: .seconds(2)) { try await replica.request(.GET, "/v1/models", key: key).status == 401 })
            }
        }
    }

    @Test("a replica killed mid-stream keeps the usage of the requests it completed; its background response is marked failed, not left in progress")
    func killedReplica() async throws {
        try await Self.withReplicas(3) { cluster, _ in
            let survivor = cluster.replicas[0].client
            let doomed = cluster.replicas[2]
            let (keyID, key) = try await survivor.createKey(#"{"name":"metered"}"#)
            #expect(try await Self.eventually { try await doomed.client.request(.GET, "/v1/models", key: key).status == 200 })

            let background = try await doomed.client.request("/v1/responses", body: #"{"model":"hang","input":"Hi","background":true}"#, key: key)
            let backgroundID = try #require(background.json["id"] as? String, "\(background.body)")
            let completed = 20
            for index in 0..<completed {
                let reply = try await doomed.client.request("/v1/chat/completions", body: chatBody(model: "fresh", extra: #","user":"u\#(index)""#), key: key)
                #expect(reply.status == 200, "\(reply.body)")
            }
            // Usage rows are written in batches every 250 ms: those of requests completed longer ago than that
            // (a second, for a loaded machine) are in storage, whatever happens to the process after.
            try await Task.sleep(for: .seconds(1))
            // Killed while a stream is under way.
            _ = try? await doomed.client.stream(body: chatBody(model: "slow", stream: true), key: key) { part, _ in
                doomed.send(SIGKILL)
                return false
            }
            #expect(await doomed.waitForExit() == SIGKILL)

            var recorded = 0
            #expect(try await Self.eventually(within: .seconds(10)) {
                let usage = try await survivor.request(.GET, "/admin/usage?key_id=\(keyID)&group_by=model")
                let rows = usage.json["data"] as? [[String: Any]] ?? []
                recorded = rows.first { $0["group"] as? String == "fresh" }?["requests"] as? Int ?? 0
                return recorded >= completed
            }, "\(recorded) of \(completed) completed requests have their usage recorded")

            var status = ""
            #expect(try await Self.eventually(within: .seconds(10)) {
                let stored = try await survivor.request(.GET, "/v1/responses/\(backgroundID)", key: key)
                status = stored.json["status"] as? String ?? stored.body
                return status == "failed"
            }, "the killed replica's background response is \(status)")
        }
    }

    @Test("SIGHUP reloads the configuration file of a running process")
    func hangupReloads() async throws {
        try await Self.withReplicas(1) { cluster, path in
            let replica = cluster.replicas[0]
            #expect(try await replica.client.request("/v1/chat/completions", body: chatBody(model: "added")).status == 404)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try (text + "\n  - name: added\n    targets: [{provider: up, model: up-model}]\n").write(toFile: path, atomically: true, encoding: .utf8)
            replica.send(SIGHUP)
            #expect(try await Self.eventually { try await replica.client.request("/v1/chat/completions", body: chatBody(model: "added")).status == 200 })
            #expect(replica.isRunning)

            try "models: [".write(toFile: path, atomically: true, encoding: .utf8)
            replica.send(SIGHUP)
            #expect(try await Self.eventually { replica.output.contains("configuration reload refused") }, "\(replica.output)")
            #expect(try await replica.client.request("/v1/chat/completions", body: chatBody(model: "added")).status == 200)
        }
    }
}
