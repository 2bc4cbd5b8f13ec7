import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// The cache key: what in a request changes it and what does not, and whose scope an answer is kept in.
@Suite("Cache key")
struct CacheKeyTests {
    static let base = #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2}"#

    static func request(_ json: String, model: String = "chat") -> ChatRequest {
        ChatRequest(body: ByteBuffer(string: json), model: model, stream: false)
    }

    static func key(_ json: String, model: String = "chat", caller: Caller? = nil) throws -> CacheKey {
        let key = CacheKey(request(json, model: model), caller: caller)
        return try #require(key, "no key for \(json)")
    }

    static let created = Date(timeIntervalSince1970: 1_700_000_000)

    static func team(_ id: String) -> Team {
        Team(id: id, name: id, models: nil, limits: UsageLimits(), createdAt: created)
    }

    static func caller(key id: String, team: Team?) -> Caller {
        let key = VirtualKey(
            id: id, name: id, prefix: "sk-sy", digest: SecretDigest(of: id), teamID: team?.id, models: nil, limits: UsageLimits(), expiresAt: nil,
            metadata: [:], createdAt: created)
        return .virtualKey(KeyGrant(key: key, team: team))
    }

    @Test("the key is the hex SHA-256 of the request")
    func hexDigest() throws {
        let key = try Self.key(Self.base)
        let again = try Self.key(Self.base)
        let isHex = key.key.allSatisfy { "0123456789abcdef".contains($0) }
        #expect(key.key.count == 64)
        #expect(isHex, "\(key.key)")
        #expect(again == key, "the same request gives the same key")
    }

    @Test("member order and spacing, at any depth, do not change the key")
    func memberOrder() throws {
        let reordered = #"{ "temperature": 0.2, "messages": [ {"content": "Hi", "role": "user"} ], "model": "chat" }"#
        let reorderedKey = try Self.key(reordered)
        let baseKey = try Self.key(Self.base)
        #expect(reorderedKey == baseKey)
    }

    @Test("stream, stream_options, user and metadata do not change the key", arguments: [
        #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"stream":true}"#,
        #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"stream":true,"stream_options":{"include_usage":true}}"#,
        #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"user":"end-user-17"}"#,
        #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"metadata":{"trace":"abc"}}"#,
        #"{"stream":false,"user":"u","metadata":{},"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2}"#,
    ])
    func ignoredMembers(json: String) throws {
        let key = try Self.key(json)
        let baseKey = try Self.key(Self.base)
        #expect(key == baseKey)
    }

    @Test("the model, the messages, their order, the temperature and the tools each change the key")
    func significantMembers() throws {
        let baseKey = try Self.key(Self.base)
        let withTool =
            #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}"#
        let withOtherTool =
            #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"tools":[{"type":"function","function":{"name":"g","parameters":{"type":"object"}}}]}"#
        let variants: [(name: String, json: String, model: String)] = [
            ("model", Self.base, "other"),
            ("message text", #"{"model":"chat","messages":[{"role":"user","content":"Hello"}],"temperature":0.2}"#, "chat"),
            ("message role", #"{"model":"chat","messages":[{"role":"system","content":"Hi"}],"temperature":0.2}"#, "chat"),
            (
                "more messages",
                #"{"model":"chat","messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Hi"}],"temperature":0.2}"#, "chat"
            ),
            (
                "message order",
                #"{"model":"chat","messages":[{"role":"user","content":"Hi"},{"role":"system","content":"Be brief"}],"temperature":0.2}"#, "chat"
            ),
            ("temperature", #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.3}"#, "chat"),
            ("no temperature", #"{"model":"chat","messages":[{"role":"user","content":"Hi"}]}"#, "chat"),
            ("tools", withTool, "chat"),
            ("other tools", withOtherTool, "chat"),
            ("max_tokens", #"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"max_tokens":5}"#, "chat"),
        ]
        var keys: [String] = []
        for variant in variants {
            let key = try Self.key(variant.json, model: variant.model)
            #expect(key != baseKey, "\(variant.name) should change the key")
            #expect(key.scope == baseKey.scope)
            keys.append(key.key)
        }
        let distinct = Set(keys)
        #expect(distinct.count == variants.count, "every variant has a key of its own")
    }

    @Test("callers of one team share the scope; other teams, keys without a team and the master key do not")
    func scopes() throws {
        let search = Self.team("t-search")
        let billing = Self.team("t-billing")
        let first = try Self.key(Self.base, caller: Self.caller(key: "k1", team: search))
        let second = try Self.key(Self.base, caller: Self.caller(key: "k2", team: search))
        let otherTeam = try Self.key(Self.base, caller: Self.caller(key: "k3", team: billing))
        let teamless = try Self.key(Self.base, caller: Self.caller(key: "k4", team: nil))
        let otherTeamless = try Self.key(Self.base, caller: Self.caller(key: "k5", team: nil))
        let master = try Self.key(Self.base, caller: .master)
        let anonymous = try Self.key(Self.base, caller: nil)

        #expect(first.scope == "team:t-search")
        #expect(first == second, "two keys of one team share the entry")
        #expect(otherTeam.scope == "team:t-billing")
        #expect(teamless.scope == "key:k4")
        #expect(otherTeamless.scope == "key:k5")
        #expect(master.scope == "master")
        #expect(anonymous.scope == "master", "a request without a caller is the operator's")

        let scopes = [first, otherTeam, teamless, otherTeamless, master].map(\.scope)
        #expect(Set(scopes).count == scopes.count, "\(scopes)")
        // The scope keeps tenants apart; the key itself is the request's alone.
        for other in [otherTeam, teamless, otherTeamless, master, anonymous] {
            #expect(other.key == first.key)
        }
        #expect(otherTeam != first)
        #expect(teamless != first)
        #expect(master != first)
    }

    @Test("a request with no hub form, or a body that is not a JSON object, has no key")
    func noKey() {
        let unexpressible = ChatRequest(
            body: ByteBuffer(string: Self.base), model: "chat", stream: false, hubError: .unsupported("this request has no hub form"))
        #expect(CacheKey(unexpressible, caller: nil) == nil)
        #expect(CacheKey(Self.request("[1,2,3]"), caller: nil) == nil)
        #expect(CacheKey(Self.request("not json"), caller: nil) == nil)
        #expect(CacheKey(Self.request(Self.base), caller: nil) != nil)
    }

    @Test("requests for several choices or for log probabilities are not cached: an entry keeps neither")
    func notCachedShapes() {
        #expect(CacheKey(Self.request(#"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"n":2}"#), caller: nil) == nil)
        #expect(CacheKey(Self.request(#"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"n":1}"#), caller: nil) != nil)
        #expect(CacheKey(Self.request(#"{"model":"chat","messages":[{"role":"user","content":"Hi"}],"logprobs":true}"#), caller: nil) == nil)
    }

    static func canonical(_ text: String, dropping: Set<String> = [], replacing: [String: [UInt8]] = [:]) -> String? {
        CanonicalJSON.bytes(of: ByteBuffer(string: text), dropping: dropping, replacing: replacing).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("canonical JSON: object members sorted at every depth, arrays in their order, no whitespace")
    func canonicalOrder() throws {
        let text = try #require(Self.canonical(#"{ "b": {"y": 1, "x": [3, 1, {"q": 2, "p": 1}]},\#n "a": null, "c": [true, false] }"#))
        #expect(text == #"{"a":null,"b":{"x":[3,1,{"p":1,"q":2}],"y":1},"c":[true,false]}"#)
        #expect(try JSONValue(decoding: text) == JSONValue(decoding: #"{"b":{"y":1,"x":[3,1,{"q":2,"p":1}]},"a":null,"c":[true,false]}"#))
    }

    @Test("canonical JSON: the same members in another order give the same bytes; another array order does not")
    func canonicalEquality() {
        #expect(Self.canonical(#"{"a":1,"b":{"c":2,"d":3}}"#) == Self.canonical(#"{ "b" : { "d":3, "c":2 }, "a" : 1 }"#))
        #expect(Self.canonical(#"{"a":[1,2]}"#) != Self.canonical(#"{"a":[2,1]}"#))
    }

    @Test("canonical JSON: strings and numbers stay as written; whitespace inside strings is kept")
    func canonicalScalars() {
        let text = Self.canonical(#"{"s":"a\"b\\c\u00e9 , }","n":-3,"f":0.50,"t":true,"z":null,"o":{},"e":[]}"#)
        #expect(text == #"{"e":[],"f":0.50,"n":-3,"o":{},"s":"a\"b\\c\u00e9 , }","t":true,"z":null}"#)
    }

    @Test("canonical JSON: top-level members dropped or replaced; anything but a whole object, or too deep, has no form")
    func canonicalEdges() {
        #expect(Self.canonical(#"{"stream":true,"model":"up","x":1}"#, dropping: ["stream"], replacing: ["model": Array(#""chat""#.utf8)]) == #"{"model":"chat","x":1}"#)
        #expect(Self.canonical(#"{"x":1}"#, replacing: ["model": Array(#""chat""#.utf8)]) == #"{"model":"chat","x":1}"#)
        #expect(Self.canonical("[1,2]") == nil)
        #expect(Self.canonical(#"{"a":1"#) == nil)
        #expect(Self.canonical(#"{"a":1} x"#) == nil)
        #expect(Self.canonical(#"{"a":"unterminated}"#) == nil)
        #expect(Self.canonical(#"{"a":}"#) == nil)
        let deep = "{\"a\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}"
        #expect(Self.canonical(deep) == nil)
        let fine = "{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(Self.canonical(fine) != nil)
    }
}
