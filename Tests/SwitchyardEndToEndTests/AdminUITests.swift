import Foundation
import NIOHTTP1
import SwitchyardTesting
import Testing

/// The admin web UI's sign-in, sessions and CSRF tokens, and the analytics endpoints its charts read.
@Suite("Admin UI and analytics")
struct AdminUITests {
    static let yaml = GatewayHarness.singleModel + "\nui: {session_ttl_seconds: 3600}\n"

    static func upstream() -> UpstreamDouble {
        UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Hello.")) }
    }

    /// The value of cookie `name` from a response's `Set-Cookie` headers.
    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for header in headers["set-cookie"] {
            let first = header.split(separator: ";").first ?? ""
            if first.hasPrefix(name + "=") { return String(first.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// Signs in with `key` through the form; the reply and the session cookie it set.
    static func signIn(_ gateway: GatewayClient, key: String) async throws -> (GatewayClient.Reply, String?) {
        let page = try await gateway.request(.GET, "/ui/login", key: nil, followRedirects: false)
        let loginToken = try #require(cookie("switchyard_login_csrf", in: page.headers))
        #expect(page.body.contains("value=\"\(loginToken)\""), "the form carries the token its cookie holds")
        let form = "csrf=\(loginToken)&key=\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key)"
        let reply = try await gateway.request(
            .POST, "/ui/login", body: form, key: nil, followRedirects: false,
            headers: [("content-type", "application/x-www-form-urlencoded"), ("cookie", "switchyard_login_csrf=\(loginToken)")])
        return (reply, cookie("switchyard_session", in: reply.headers))
    }

    @Test("sign-in takes the master key only; the session works the admin API, mutating calls need its CSRF token; sign-out ends it")
    func sessions() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let anonymous = try await gateway.request(.GET, "/ui/", key: nil, followRedirects: false)
                #expect(anonymous.status == 303 && anonymous.headers.first(name: "location") == "/ui/login")
                let login = try await gateway.request(.GET, "/ui/login", key: nil, followRedirects: false)
                #expect(login.status == 200 && login.headers.first(name: "content-security-policy")?.contains("default-src 'self'") == true)

                let (wrong, noSession) = try await Self.signIn(gateway, key: "sk-not-the-master")
                #expect(wrong.status == 401 && noSession == nil && wrong.body.contains("not the master key"))
                let forged = try await gateway.request(
                    .POST, "/ui/login", body: "csrf=forged&key=\(GatewayHarness.masterKey)", key: nil, followRedirects: false,
                    headers: [("content-type", "application/x-www-form-urlencoded"), ("cookie", "switchyard_login_csrf=other")])
                #expect(forged.status == 403 && Self.cookie("switchyard_session", in: forged.headers) == nil)

                let (signedIn, session) = try await Self.signIn(gateway, key: GatewayHarness.masterKey)
                #expect(signedIn.status == 303 && signedIn.headers.first(name: "location") == "/ui/")
                let value = try #require(session)
                let setCookie = signedIn.headers["set-cookie"].first { $0.hasPrefix("switchyard_session=") } ?? ""
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")
                let cookie = ("cookie", "switchyard_session=\(value)")

                let app = try await gateway.request(.GET, "/ui/", key: nil, followRedirects: false, headers: [cookie])
                #expect(app.status == 200 && app.body.contains("app.js"))
                let state = try await gateway.request(.GET, "/ui/session", key: nil, followRedirects: false, headers: [cookie])
                let csrf = try #require(state.json["csrf"] as? String)

                let keys = try await gateway.request(.GET, "/admin/keys", key: nil, followRedirects: false, headers: [cookie])
                #expect(keys.status == 200, "\(keys.body)")
                let withoutToken = try await gateway.request("/admin/keys", body: #"{"name":"ui"}"#, key: nil, followRedirects: false, headers: [cookie])
                #expect(withoutToken.status == 403 && withoutToken.errorCode == "csrf_token_invalid")
                let wrongToken = try await gateway.request("/admin/keys", body: #"{"name":"ui"}"#, key: nil, followRedirects: false, headers: [cookie, ("x-csrf-token", "nope")])
                #expect(wrongToken.status == 403)
                let created = try await gateway.request("/admin/keys", body: #"{"name":"ui"}"#, key: nil, followRedirects: false, headers: [cookie, ("x-csrf-token", csrf)])
                #expect(created.status == 201, "\(created.body)")
                // A session is not a key on the data plane.
                let chat = try await gateway.request("/v1/chat/completions", body: chatBody(), key: nil, followRedirects: false, headers: [cookie])
                #expect(chat.status == 401)

                let noToken = try await gateway.request(.POST, "/ui/logout", key: nil, followRedirects: false, headers: [cookie])
                #expect(noToken.status == 403)
                let out = try await gateway.request(.POST, "/ui/logout", key: nil, followRedirects: false, headers: [cookie, ("x-csrf-token", csrf)])
                #expect(out.status == 204)
                let after = try await gateway.request(.GET, "/admin/keys", key: nil, followRedirects: false, headers: [cookie])
                #expect(after.status == 401 && after.errorCode == "session_expired")
                #expect(try await gateway.request(.GET, "/ui/", key: nil, followRedirects: false, headers: [cookie]).status == 303)
                #expect(try await gateway.request(.GET, "/ui/session", key: nil, followRedirects: false, headers: [cookie]).status == 401)
            }
        }
    }

    @Test("before a session is known, only small bodies get in: a large sign-in post or admin call is refused unread")
    func smallBodiesOnly() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let large = String(repeating: "a", count: 100_000)
                let login = try await gateway.request(
                    .POST, "/ui/login", body: large, key: nil, followRedirects: false, headers: [("content-type", "application/x-www-form-urlencoded")])
                #expect(login.status == 401, "\(login.body)")
                let fake = "switchyard_session=" + String(repeating: "A", count: 48)
                let admin = try await gateway.request(.POST, "/admin/keys", body: String(repeating: " ", count: 2_000_000), key: nil, headers: [("cookie", fake)])
                #expect(admin.status == 401, "\(admin.body)")
                let malformed = try await gateway.request(.GET, "/admin/keys", key: nil, headers: [("cookie", "switchyard_session=junk")])
                #expect(malformed.status == 401)
            }
        }
    }

    @Test("a session ends when its lifetime is over")
    func expiry() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel + "\nui: {session_ttl_seconds: 3}\n", upstream: base) { gateway in
                let (_, session) = try await Self.signIn(gateway, key: GatewayHarness.masterKey)
                let cookie = ("cookie", "switchyard_session=\(try #require(session))")
                #expect(try await gateway.request(.GET, "/ui/session", key: nil, followRedirects: false, headers: [cookie]).status == 200)
                try await Task.sleep(for: .milliseconds(3200))
                #expect(try await gateway.request(.GET, "/ui/session", key: nil, followRedirects: false, headers: [cookie]).status == 401)
                #expect(try await gateway.request(.GET, "/admin/keys", key: nil, followRedirects: false, headers: [cookie]).status == 401)
            }
        }
    }

    @Test("the UI's files are served from the binary; unknown ones are 404")
    func assets() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let script = try await gateway.request(.GET, "/ui/app.js", key: nil, followRedirects: false)
                #expect(script.status == 200 && script.headers.first(name: "content-type")?.hasPrefix("text/javascript") == true)
                let style = try await gateway.request(.GET, "/ui/app.css", key: nil, followRedirects: false)
                #expect(style.status == 200)
                #expect(try await gateway.request(.GET, "/ui/nope.js", key: nil, followRedirects: false).status == 404)
                #expect(try await gateway.request(.GET, "/ui/..%2Fsecret", key: nil, followRedirects: false).status == 404)
            }
        }
    }

    @Test("requests are added up per minute: overview, series, rankings and budgets read the sums")
    func analytics() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let (keyID, secret) = try await gateway.createKey(#"{"name":"charts","max_budget_usd":5}"#)
                for _ in 0..<3 { #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200) }
                #expect(try await gateway.request("/v1/chat/completions", body: chatBody(model: "nope"), key: secret).status == 404)
                // Written off the request path: polled until the four requests are counted.
                var overview = try await gateway.request(.GET, "/admin/analytics/overview?range=hour")
                for _ in 0..<50 where (overview.json["requests"] as? Int ?? 0) < 4 {
                    try await Task.sleep(for: .milliseconds(100))
                    overview = try await gateway.request(.GET, "/admin/analytics/overview?range=hour")
                }
                let requests = overview.json["requests"] as? Int
                let errors = overview.json["errors"] as? Int
                #expect(requests == 4 && errors == 0, "an unknown model is the client's mistake, not an error: \(overview.body)")
                let latency = overview.json["latency_ms"] as? [String: Any]
                #expect(latency?["p50"] is Double, "\(overview.body)")

                let series = try await gateway.request(.GET, "/admin/analytics/requests?range=hour")
                let points = try #require(series.json["points"] as? [[String: Any]])
                #expect(points.count == 60, "a point per minute of the hour")
                let counted = points.compactMap { $0["requests"] as? Int }.reduce(0, +)
                #expect(counted == 4)

                let byKey = try await gateway.request(.GET, "/admin/analytics/spend?range=day&by=key")
                let groups = (byKey.json["series"] as? [[String: Any]])?.compactMap { $0["group"] as? String } ?? []
                #expect(groups.contains(keyID), "\(byKey.body)")

                let top = try await gateway.request(.GET, "/admin/analytics/top?range=hour&by=key")
                let first = (top.json["data"] as? [[String: Any]])?.first
                #expect(first?["group"] as? String == keyID && first?["name"] as? String == "charts", "\(top.body)")

                let budgets = try await gateway.request(.GET, "/admin/analytics/budgets")
                let row = (budgets.json["data"] as? [[String: Any]])?.first { $0["id"] as? String == keyID }
                #expect(row?["max_budget_usd"] as? Double == 5, "\(budgets.body)")

                #expect(try await gateway.request(.GET, "/admin/analytics/overview?range=year").status == 400)
                #expect(try await gateway.request(.GET, "/admin/analytics/top?by=planet").status == 400)
                #expect(try await gateway.request(.GET, "/admin/analytics/overview", key: secret).status == 403)

                let models = try await gateway.request(.GET, "/admin/models")
                let names = (models.json["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                #expect(names.contains("chat"), "\(models.body)")
            }
        }
    }
}
