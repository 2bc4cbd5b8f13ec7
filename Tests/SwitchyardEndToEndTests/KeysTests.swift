import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite("Virtual keys and teams")
struct KeysTests {
    static let yaml = GatewayHarness.singleModel + "\n  - name: secret-model\n    targets: [{provider: up, model: hidden}]"

    @Test("a key is shown once, works at once, is limited to its models, and stops working when deleted")
    func lifecycle() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let team = try await gateway.request("/admin/teams", body: #"{"name":"search","models":["chat","embed"],"rpm":100}"#)
                #expect(team.status == 201)
                let teamID = try #require(team.json["id"] as? String)
                let created = try await gateway.request(
                    "/admin/keys", body: #"{"name":"indexer","team":"\#(teamID)","models":["chat"],"max_parallel":4,"metadata":{"owner":"ana"}}"#)
                #expect(created.status == 201)
                let secret = try #require(created.json["key"] as? String)
                let id = try #require(created.json["id"] as? String)
                #expect(secret.hasPrefix("sk-sy-"))
                #expect(created.json["prefix"] as? String == String(secret.prefix(10)))

                let chat = try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret)
                #expect(chat.status == 200)
                let forbidden = try await gateway.request("/v1/chat/completions", body: chatBody(model: "secret-model"), key: secret)
                #expect(forbidden.status == 403)
                #expect(forbidden.errorCode == "model_not_allowed")
                let embed = try await gateway.request("/v1/embeddings", body: #"{"model":"embed","input":"x"}"#, key: secret)
                #expect(embed.status == 403, "the key allows less than its team")
                let models = try await gateway.request(.GET, "/v1/models", key: secret)
                #expect((models.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["chat"])
                #expect(try await gateway.request(.GET, "/v1/models/secret-model", key: secret).status == 404)
                #expect(try await gateway.request(.GET, "/admin/keys", key: secret).status == 403)

                let listed = try await gateway.request(.GET, "/admin/keys")
                #expect(!listed.body.contains(secret))
                #expect(!listed.body.contains(SecretDigest(of: secret).hex))
                #expect((listed.json["data"] as? [[String: Any]])?.first?["name"] as? String == "indexer")
                let one = try await gateway.request(.GET, "/admin/keys/\(id)")
                #expect((one.json["metadata"] as? [String: String]) == ["owner": "ana"])
                #expect(one.json["max_parallel"] as? Int == 4)

                #expect(try await gateway.request(.DELETE, "/admin/keys/\(id)").status == 204)
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 401)
                #expect(try await gateway.request(.DELETE, "/admin/keys/\(id)").status == 404)
            }
        }
    }

    @Test("deleting a team deletes its keys")
    func teamDeletion() async throws {
        try await GatewayHarness.withGateway(yaml: Self.yaml) { gateway in
            let teamID = try #require(try await gateway.request("/admin/teams", body: #"{"name":"t"}"#).json["id"] as? String)
            let secret = try #require(try await gateway.request("/admin/keys", body: #"{"name":"k","team":"\#(teamID)"}"#).json["key"] as? String)
            #expect(try await gateway.request(.GET, "/v1/models", key: secret).status == 200)
            #expect(try await gateway.request(.DELETE, "/admin/teams/\(teamID)").status == 204)
            #expect(try await gateway.request(.GET, "/v1/models", key: secret).status == 401)
            #expect(try await gateway.request(.GET, "/admin/teams/\(teamID)").status == 404)
        }
    }

    @Test("bad admin input gets 400 or 409 naming the problem", arguments: [
        ("/admin/keys", #"{"name":"a","rpm":"fast"}"#, 400, "'rpm' must be a whole number from 1 to 1000000000000."),
        ("/admin/keys", #"{"name":"a","tpm":-5}"#, 400, "'tpm' must be a whole number from 1 to 1000000000000."),
        ("/admin/keys", #"{"name":"a","tpm":9223372036854775807}"#, 400, "'tpm' must be a whole number from 1 to 1000000000000."),
        ("/admin/keys", #"{"name":"a","team":"team_missing"}"#, 400, "No team with id 'team_missing'."),
        ("/admin/keys", #"{"name":"a","expires_at":"2001-01-01T00:00:00Z"}"#, 400, "'expires_at' is in the past."),
        ("/admin/keys", #"{"name":"a","expires_at":"next week"}"#, 400, "'expires_at' must be an ISO-8601 date or date-time."),
        ("/admin/keys", #"{"name":"a","budget_period":"hourly"}"#, 400, "'budget_period' must be daily, weekly or monthly."),
        ("/admin/keys", #"{"name":"a","max_budget_usd":-1}"#, 400, "'max_budget_usd' must be a number from 0 to 1e12."),
        ("/admin/keys", #"{"name":"a","max_budget_usd":1e300}"#, 400, "'max_budget_usd' must be a number from 0 to 1e12."),
        ("/admin/keys", #"{"nmae":"a"}"#, 400, "Unknown field 'nmae'"),
        ("/admin/keys", #"{"models":["chat"]}"#, 400, "'name' is required."),
        ("/admin/keys", #"[1]"#, 400, "The request body must be a JSON object."),
        ("/admin/teams", #"{"name":"x","models":"chat"}"#, 400, "'models' must be an array of model names."),
    ])
    func badInput(path: String, body: String, status: Int, message: String) async throws {
        try await GatewayHarness.withGateway(yaml: Self.yaml) { gateway in
            let reply = try await gateway.request(path, body: body)
            #expect(reply.status == status)
            #expect(reply.errorMessage.hasPrefix(message), "\(reply.errorMessage)")
        }
    }

    @Test("duplicate names get 409, and nothing half-written is left")
    func duplicates() async throws {
        try await GatewayHarness.withGateway(yaml: Self.yaml) { gateway in
            #expect(try await gateway.request("/admin/teams", body: #"{"name":"alpha"}"#).status == 201)
            #expect(try await gateway.request("/admin/teams", body: #"{"name":"alpha"}"#).status == 409)
            #expect(try await gateway.request("/admin/keys", body: #"{"name":"k1"}"#).status == 201)
            let again = try await gateway.request("/admin/keys", body: #"{"name":"k1"}"#)
            #expect(again.status == 409)
            #expect(again.errorMessage == "A key named 'k1' already exists.")
            #expect((try await gateway.request(.GET, "/admin/keys").json["data"] as? [Any])?.count == 1)
            #expect((try await gateway.request(.GET, "/admin/teams").json["data"] as? [Any])?.count == 1)
        }
    }

    @Test("an expired key gets 401")
    func expiry() async throws {
        try await GatewayHarness.withGateway(yaml: Self.yaml) { gateway in
            let expiry = Date().addingTimeInterval(3)
            let expires = expiry.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            let secret = try #require(try await gateway.request("/admin/keys", body: #"{"name":"brief","expires_at":"\#(expires)"}"#).json["key"] as? String)
            let before = try await gateway.request(.GET, "/v1/models", key: secret).status
            #expect(before == 200 || Date() >= expiry, "valid until it expires")
            // Past its expiry (on a loaded machine, whenever the next request gets there).
            try await Task.sleep(for: .seconds(max(0, expiry.timeIntervalSinceNow) + 0.2))
            let expired = try await gateway.request(.GET, "/v1/models", key: secret)
            #expect(expired.status == 401)
            #expect(expired.errorCode == "expired_api_key")
        }
    }

    @Test("a key is read from Authorization (any case of Bearer), x-api-key or x-goog-api-key; anything else is 401")
    func presentedKeys() async throws {
        try await GatewayHarness.withGateway(yaml: Self.yaml) { gateway in
            let secret = try #require(try await gateway.request("/admin/keys", body: #"{"name":"reader"}"#).json["key"] as? String)
            for header in [("authorization", "bearer \(secret)"), ("authorization", "BEARER   \(secret)"), ("x-api-key", secret), ("x-goog-api-key", secret)] {
                #expect(try await gateway.request(.GET, "/v1/models", key: nil, headers: [header]).status == 200, "\(header.0)")
            }
            for header in [("authorization", "Basic \(secret)"), ("authorization", "Bearer"), ("authorization", "Bearer \(secret)x"), ("x-other", secret)] {
                let reply = try await gateway.request(.GET, "/v1/models", key: nil, headers: [header])
                #expect(reply.status == 401, "\(header.0): \(header.1.prefix(8))")
            }
        }
    }
}

@Suite("Updating and rotating keys")
struct KeyChangeTests {
    @Test("an update changes only the fields it names; a rotation retires the old secret at once")
    func updateAndRotate() async throws {
        try await GatewayHarness.withGateway(yaml: KeysTests.yaml) { gateway in
            let created = try await gateway.request("/admin/keys", body: #"{"name":"svc","models":["chat"],"rpm":5,"metadata":{"a":"1"}}"#)
            let id = try #require(created.json["id"] as? String)
            let old = try #require(created.json["key"] as? String)
            let updated = try await gateway.request(.PATCH, "/admin/keys/\(id)", body: #"{"models":null,"rpm":50}"#)
            #expect(updated.status == 200)
            #expect(updated.json["rpm"] as? Int == 50)
            #expect(updated.json["models"] is NSNull)
            #expect(updated.json["name"] as? String == "svc")
            #expect((updated.json["metadata"] as? [String: String]) == ["a": "1"])
            #expect(try await gateway.request(.GET, "/v1/models/secret-model", key: old).status == 200, "the update took effect at once")
            #expect(try await gateway.request(.PATCH, "/admin/keys/\(id)", body: #"{"rpm":0}"#).status == 400)
            #expect(try await gateway.request(.PATCH, "/admin/keys/key_missing", body: "{}").status == 404)

            let rotated = try await gateway.request("/admin/keys/\(id)/rotate")
            #expect(rotated.status == 200)
            let new = try #require(rotated.json["key"] as? String)
            #expect(new != old)
            #expect(try await gateway.request(.GET, "/v1/models", key: old).status == 401)
            #expect(try await gateway.request(.GET, "/v1/models", key: new).status == 200)
            #expect(rotated.json["id"] as? String == id)
        }
    }
}
