import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardGateway

/// How many times each store's snapshot was loaded.
private final class SnapshotLoads: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func load(_ storeID: String, _ snapshot: KnowledgeIndex.Snapshot) -> KnowledgeIndex.Snapshot {
        counts.withLock { $0[storeID, default: 0] += 1 }
        return snapshot
    }

    func count(_ storeID: String) -> Int { counts.withLock { $0[storeID] ?? 0 } }
}

/// The error `body` throws, or nil when it does not.
private func refusal(_ body: () throws -> Void) -> GatewayError? {
    do {
        try body()
        return nil
    } catch {
        return error as? GatewayError
    }
}

@Suite("Knowledge search: attribute filters")
struct AttributeFilterTests {
    static let attributes: [String: JSONValue] = [
        "region": "eu", "tag": "b", "year": .integer(2024), "score": .number(0.5), "draft": false, "published": true, "yearText": "2024",
    ]

    /// Whether a comparison `type` of `key` with `value` lets `attributes` through.
    static func passes(
        _ type: String, _ key: String, _ value: JSONValue, _ attributes: [String: JSONValue] = AttributeFilterTests.attributes
    ) throws -> Bool {
        try AttributeFilter(["type": .string(type), "key": .string(key), "value": value]).matches(attributes)
    }

    @Test("strings compare equal and in order")
    func strings() throws {
        #expect(try Self.passes("eq", "region", "eu"))
        #expect(try !Self.passes("eq", "region", "us"))
        #expect(try Self.passes("ne", "region", "us"))
        #expect(try !Self.passes("ne", "region", "eu"))
        #expect(try Self.passes("gt", "tag", "a"))
        #expect(try !Self.passes("gt", "tag", "b"))
        #expect(try Self.passes("gte", "tag", "b"))
        #expect(try Self.passes("lt", "tag", "c"))
        #expect(try !Self.passes("lt", "tag", "a"))
        #expect(try Self.passes("lte", "tag", "b"))
        #expect(try !Self.passes("lte", "tag", "a"))
        #expect(try Self.passes("in", "region", ["us", "eu"]))
        #expect(try !Self.passes("in", "region", ["us", "uk"]))
        #expect(try Self.passes("nin", "region", ["us", "uk"]))
        #expect(try !Self.passes("nin", "region", ["eu"]))
    }

    @Test("numbers compare by value: an integer equals the same double")
    func numbers() throws {
        #expect(try Self.passes("eq", "year", .number(2024.0)))
        #expect(try Self.passes("eq", "year", .integer(2024)))
        #expect(try !Self.passes("ne", "year", .number(2024.0)))
        #expect(try Self.passes("ne", "year", .integer(2023)))
        #expect(try Self.passes("gt", "year", .number(2023.5)))
        #expect(try !Self.passes("gt", "year", .integer(2024)))
        #expect(try Self.passes("gte", "year", .number(2024.0)))
        #expect(try Self.passes("lt", "year", .number(2024.5)))
        #expect(try !Self.passes("lt", "year", .integer(2024)))
        #expect(try Self.passes("lte", "year", .integer(2024)))
        #expect(try !Self.passes("lte", "year", .integer(2023)))
        #expect(try Self.passes("eq", "score", .number(0.5)))
        #expect(try Self.passes("gt", "score", .integer(0)))
        #expect(try !Self.passes("gte", "score", .integer(1)))
        #expect(try Self.passes("in", "year", [.number(2023.0), .number(2024.0)]))
        #expect(try !Self.passes("nin", "year", [.number(2024.0)]))
    }

    @Test("booleans compare equal, and false orders below true")
    func booleans() throws {
        #expect(try Self.passes("eq", "draft", false))
        #expect(try !Self.passes("eq", "draft", true))
        #expect(try Self.passes("ne", "draft", true))
        #expect(try Self.passes("gt", "published", false))
        #expect(try !Self.passes("lt", "published", false))
        #expect(try Self.passes("lt", "draft", true))
        #expect(try Self.passes("in", "published", [true]))
        #expect(try !Self.passes("in", "published", [false]))
    }

    @Test("a file without the key passes only ne and nin")
    func missingKey() throws {
        for type in ["eq", "gt", "gte", "lt", "lte"] {
            #expect(try !Self.passes(type, "owner", "ann"), "\(type)")
        }
        #expect(try Self.passes("ne", "owner", "ann"))
        #expect(try !Self.passes("in", "owner", ["ann", "bob"]))
        #expect(try Self.passes("nin", "owner", ["ann", "bob"]))
        #expect(try !Self.passes("eq", "owner", "ann", [:]))
        #expect(try Self.passes("ne", "owner", "ann", [:]))
    }

    @Test("values of different kinds are never equal and never ordered")
    func mixedKinds() throws {
        // A number against a string of the same digits, both ways round.
        #expect(try !Self.passes("eq", "year", "2024"))
        #expect(try Self.passes("ne", "year", "2024"))
        #expect(try !Self.passes("eq", "yearText", .integer(2024)))
        #expect(try !Self.passes("gt", "year", "2000"))
        #expect(try !Self.passes("lt", "year", "3000"))
        #expect(try !Self.passes("gte", "yearText", .integer(2024)))
        #expect(try !Self.passes("lte", "yearText", .integer(2024)))
        // Booleans are not numbers.
        #expect(try !Self.passes("eq", "draft", .integer(0)))
        #expect(try !Self.passes("eq", "published", .integer(1)))
        #expect(try !Self.passes("gt", "published", .integer(0)))
        #expect(try !Self.passes("eq", "region", true))
        #expect(try !Self.passes("in", "year", ["2024"]))
        #expect(try Self.passes("nin", "year", ["2024"]))
    }

    @Test("and needs every filter, or any; compounds nest")
    func compounds() throws {
        let json: JSONValue = [
            "type": "and",
            "filters": [
                ["type": "eq", "key": "region", "value": "eu"],
                ["type": "or", "filters": [["type": "gt", "key": "year", "value": 2025], ["type": "eq", "key": "draft", "value": false]]],
            ],
        ]
        let filter = try AttributeFilter(json)
        #expect(
            filter
                == .compound(
                    all: true,
                    [
                        .comparison(key: "region", operator: "eq", value: "eu"),
                        .compound(
                            all: false,
                            [.comparison(key: "year", operator: "gt", value: 2025), .comparison(key: "draft", operator: "eq", value: false)]),
                    ]))
        #expect(filter.matches(["region": "eu", "year": 2024, "draft": false]), "the or passes by its second filter")
        #expect(filter.matches(["region": "eu", "year": 2026, "draft": true]), "the or passes by its first filter")
        #expect(!filter.matches(["region": "eu", "year": 2024, "draft": true]), "neither filter of the or passes")
        #expect(!filter.matches(["region": "us", "year": 2026, "draft": false]), "the and fails on region")
        #expect(!filter.matches([:]))

        let either = try AttributeFilter(["type": "or", "filters": [["type": "eq", "key": "a", "value": 1], ["type": "eq", "key": "b", "value": 2]]])
        #expect(either.matches(["b": 2]))
        #expect(!either.matches(["a": 2, "b": 1]))
    }

    /// A comparison of `a` with 1 wrapped in `levels` and-filters.
    static func nested(_ levels: Int) -> JSONValue {
        var filter: JSONValue = ["type": "eq", "key": "a", "value": 1]
        for _ in 0..<levels { filter = ["type": "and", "filters": [filter]] }
        return filter
    }

    @Test("compound filters nest at most 8 deep")
    func depth() throws {
        let deepest = try AttributeFilter(Self.nested(7))
        #expect(deepest.matches(["a": 1]))
        #expect(!deepest.matches(["a": 2]))
        let error = try #require(refusal { _ = try AttributeFilter(Self.nested(8)) })
        #expect(error.status == 400)
        #expect(error.param == "filters" + String(repeating: ".filters[0]", count: 8), "\(error.param ?? "nil")")
        #expect(error.message.contains("8"), "\(error.message)")
        let wider = try #require(refusal { _ = try AttributeFilter(Self.nested(12)) })
        #expect(wider.param?.hasPrefix("filters") == true)
    }

    @Test("a filter of more than 100 comparisons in all is refused, however it nests")
    func tooManyComparisons() throws {
        let sixty = JSONValue.array(Array(repeating: ["type": "eq", "key": "a", "value": 1], count: 60))
        let twice: JSONValue = ["type": "and", "filters": [["type": "or", "filters": sixty], ["type": "or", "filters": sixty]]]
        let error = try #require(refusal { _ = try AttributeFilter(twice) })
        #expect(error.status == 400 && error.param == "filters" && error.message.contains("120"), "\(error.message)")
        let once: JSONValue = ["type": "and", "filters": [["type": "or", "filters": sixty]]]
        #expect(refusal { _ = try AttributeFilter(once) } == nil)
    }

    @Test("a compound of more than 64 filters is refused")
    func tooMany() throws {
        let many = JSONValue.array(Array(repeating: ["type": "eq", "key": "a", "value": 1], count: 65))
        let error = try #require(refusal { _ = try AttributeFilter(["type": "or", "filters": many]) })
        #expect(error.status == 400 && error.param == "filters.filters")
        let sixtyFour = JSONValue.array(Array(repeating: ["type": "eq", "key": "a", "value": 1], count: 64))
        let accepted = refusal { _ = try AttributeFilter(["type": "or", "filters": sixtyFour]) }
        #expect(accepted == nil)
    }

    @Test(
        "malformed filters are a 400 naming the field",
        arguments: [
            (#"{"type":"like","key":"a","value":1}"#, "filters.type"),
            (#"{"key":"a","value":1}"#, "filters.type"),
            (#"{"type":"eq","value":1}"#, "filters.key"),
            (#"{"type":"eq","key":"","value":1}"#, "filters.key"),
            (#"{"type":"eq","key":"a","value":{"x":1}}"#, "filters.value"),
            (#"{"type":"eq","key":"a","value":[1]}"#, "filters.value"),
            (#"{"type":"eq","key":"a"}"#, "filters.value"),
            (#"{"type":"gt","key":"a","value":null}"#, "filters.value"),
            (#"{"type":"in","key":"a","value":"x"}"#, "filters.value"),
            (#"{"type":"nin","key":"a","value":[{"x":1}]}"#, "filters.value"),
            (#"{"type":"and","filters":[]}"#, "filters.filters"),
            (#"{"type":"or"}"#, "filters.filters"),
            (#"{"type":"or","filters":{"type":"eq","key":"a","value":1}}"#, "filters.filters"),
            (#"{"type":"or","filters":[{"type":"eq","key":"a","value":1},{"type":"eq","value":1}]}"#, "filters.filters[1].key"),
            (#"{"type":"and","filters":[{"type":"or","filters":[{"type":"between","key":"a","value":1}]}]}"#, "filters.filters[0].filters[0].type"),
        ])
    func malformed(json: String, param: String) throws {
        let value = try JSONValue(decoding: json)
        let error = try #require(refusal { _ = try AttributeFilter(value) }, "accepted \(json)")
        #expect(error.status == 400)
        #expect(error.param == param, "\(error.message)")
        #expect(error.param?.hasPrefix("filters") == true)
    }

    @Test("the param given names the filter in errors")
    func namedParam() throws {
        let error = try #require(refusal { _ = try AttributeFilter(["type": "eq", "key": "a"], param: "tools[0].filters") })
        #expect(error.param == "tools[0].filters.value")
        let notAnObject = try #require(refusal { _ = try AttributeFilter("eq") })
        #expect(notAnObject.status == 400 && notAnObject.param == "filters.type")
    }
}

@Suite("Knowledge search: reading a query")
struct KnowledgeQueryTests {
    @Test("defaults: 10 results, no threshold, both rankings weighted 1, no filter")
    func defaults() throws {
        let query = try KnowledgeQuery(["query": "refund policy"])
        #expect(query.text == "refund policy")
        #expect(query.maxResults == 10)
        #expect(query.scoreThreshold == 0)
        #expect(query.embeddingWeight == 1 && query.textWeight == 1)
        #expect(query.filter == nil)
        #expect(query == KnowledgeQuery(text: "refund policy"))
    }

    @Test("a list of queries is searched as one text, a line each")
    func list() throws {
        #expect(try KnowledgeQuery(["query": ["refund policy", "returns"]]).text == "refund policy\nreturns")
    }

    @Test("every option read")
    func options() throws {
        let query = try KnowledgeQuery([
            "query": "refunds", "max_num_results": 3, "filters": ["type": "eq", "key": "region", "value": "eu"], "rewrite_query": false,
            "ranking_options": ["ranker": "auto", "score_threshold": 0.25, "hybrid_search": ["embedding_weight": 0.5, "text_weight": 2]],
        ])
        #expect(query.maxResults == 3)
        #expect(query.filter == .comparison(key: "region", operator: "eq", value: "eu"))
        #expect(query.scoreThreshold == 0.25)
        #expect(query.embeddingWeight == 0.5 && query.textWeight == 2)
        #expect(try KnowledgeQuery(["query": "x", "max_num_results": 50]).maxResults == 50)
        #expect(try KnowledgeQuery(["query": "x", "max_num_results": 1]).maxResults == 1)
        #expect(try KnowledgeQuery(["query": "x", "ranking_options": ["score_threshold": 1]]).scoreThreshold == 1)
        // A weight left out stays 1; one weight 0 searches by the other alone.
        let byWords = try KnowledgeQuery(["query": "x", "ranking_options": ["hybrid_search": ["embedding_weight": 0]]])
        #expect(byWords.embeddingWeight == 0 && byWords.textWeight == 1)
        let byVector = try KnowledgeQuery(["query": "x", "ranking_options": ["hybrid_search": ["text_weight": 0]]])
        #expect(byVector.embeddingWeight == 1 && byVector.textWeight == 0)
        // Nulls are as absent.
        let nulls = try KnowledgeQuery(["query": "x", "max_num_results": nil, "filters": nil, "rewrite_query": nil, "ranking_options": nil])
        #expect(nulls == KnowledgeQuery(text: "x"))
    }

    @Test("a long query is cut to 8,000 characters")
    func longQuery() throws {
        let query = try KnowledgeQuery(["query": .string(String(repeating: "a", count: 9_000))])
        #expect(query.text.count == 8_000)
    }

    @Test(
        "a malformed search is a 400 naming the field",
        arguments: [
            (#"{}"#, "query"),
            (#"{"query":null}"#, "query"),
            (#"{"query":"   "}"#, "query"),
            (#"{"query":""}"#, "query"),
            (#"{"query":42}"#, "query"),
            (#"{"query":["a",1]}"#, "query"),
            (#"{"query":"x","max_num_results":0}"#, "max_num_results"),
            (#"{"query":"x","max_num_results":51}"#, "max_num_results"),
            (#"{"query":"x","max_num_results":"3"}"#, "max_num_results"),
            (#"{"query":"x","max_num_results":2.5}"#, "max_num_results"),
            (#"{"query":"x","filters":{"type":"like"}}"#, "filters.type"),
            (#"{"query":"x","filters":{"type":"eq"}}"#, "filters.key"),
            (#"{"query":"x","rewrite_query":true}"#, "rewrite_query"),
            (#"{"query":"x","rewrite_query":"no"}"#, "rewrite_query"),
            (#"{"query":"x","ranking_options":"auto"}"#, "ranking_options"),
            (#"{"query":"x","ranking_options":{"ranker":"fancy"}}"#, "ranking_options.ranker"),
            (#"{"query":"x","ranking_options":{"score_threshold":1.5}}"#, "ranking_options.score_threshold"),
            (#"{"query":"x","ranking_options":{"score_threshold":-0.1}}"#, "ranking_options.score_threshold"),
            (#"{"query":"x","ranking_options":{"score_threshold":"0.5"}}"#, "ranking_options.score_threshold"),
            (#"{"query":"x","ranking_options":{"hybrid_search":{"embedding_weight":0,"text_weight":0}}}"#, "ranking_options.hybrid_search"),
            (#"{"query":"x","ranking_options":{"hybrid_search":{"embedding_weight":-1}}}"#, "ranking_options.hybrid_search.embedding_weight"),
            (#"{"query":"x","ranking_options":{"hybrid_search":{"text_weight":"high"}}}"#, "ranking_options.hybrid_search.text_weight"),
        ])
    func malformed(json: String, param: String) throws {
        let body = try JSONValue(decoding: json)
        let error = try #require(refusal { _ = try KnowledgeQuery(body) }, "accepted \(json)")
        #expect(error.status == 400)
        #expect(error.param == param, "\(error.message)")
    }

    @Test("an unknown filter type is refused before its key is looked at")
    func unknownFilterType() throws {
        let error = try #require(refusal { _ = try KnowledgeQuery(["query": "x", "filters": ["type": "like", "key": "a", "value": 1]]) })
        #expect(error.status == 400 && error.param == "filters.type")
    }

    @Test("a body that is not an object is a 400")
    func notAnObject() throws {
        let error = try #require(refusal { _ = try KnowledgeQuery(["refunds"]) })
        #expect(error.status == 400)
    }

    @Test("the file_search tool's query may be absent: the user's message is searched")
    func queryNotRequired() throws {
        let query = try KnowledgeQuery(["max_num_results": 3], requireQuery: false)
        #expect(query.text == "")
        #expect(query.maxResults == 3)
        #expect(try KnowledgeQuery([:], requireQuery: false) == KnowledgeQuery(text: ""))
        // Its other fields are still checked.
        let error = try #require(refusal { _ = try KnowledgeQuery(["max_num_results": 0], requireQuery: false) })
        #expect(error.param == "max_num_results")
    }

    @Test("terms: lowercased words, each once, split on anything not a letter or digit")
    func terms() {
        #expect(KnowledgeQuery(text: "Refund-policy, REFUND!").terms == ["refund", "policy"])
        #expect(KnowledgeQuery(text: "Q3 revenue: 2024 vs. 2023 (q3)").terms == ["q3", "revenue", "2024", "vs", "2023"])
        #expect(KnowledgeQuery(text: "Caf\u{E9} CR\u{C8}ME caf\u{E9}").terms == ["caf\u{E9}", "cr\u{E8}me"])
        #expect(KnowledgeQuery(text: " ,.!? -- ").terms == [])
        #expect(KnowledgeQuery(text: "").terms == [])
        // Words that would match nearly every chunk are left out.
        #expect(KnowledgeQuery(text: "How do the refunds work for my order?").terms == ["refunds", "work", "order"])
        #expect(KnowledgeQuery(text: "what is it").terms == [])
    }

    @Test("at most 64 terms, the first ones")
    func termLimit() {
        let text = (0..<100).map { "w\($0)" }.joined(separator: " ")
        let terms = KnowledgeQuery(text: text).terms
        #expect(terms.count == 64)
        #expect(terms.first == "w0" && terms.last == "w63")
    }
}

@Suite("Knowledge search: reciprocal rank fusion")
struct FusionTests {
    static func close(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) < 1e-9
    }

    @Test("first in every ranking scores 1; the rest in order of their summed reciprocal ranks")
    func firstEverywhere() {
        let fused = KnowledgeBase.fuse([(["a", "b", "c"], 1.0), (["a", "c", "b"], 1.0)])
        #expect(fused.map { $0.0 } == ["a", "b", "c"])
        #expect(fused.first?.1 == 1.0)
        let best = 2.0 / 61
        #expect(Self.close(fused.last?.1, (1.0 / 63 + 1.0 / 62) / best))
    }

    @Test("order follows the summed weighted reciprocal ranks, scaled by first in every ranking")
    func order() {
        // a: 1/61; b: 1/62 + 1/61; c: 1/63 + 1/62.
        let fused = KnowledgeBase.fuse([(["a", "b", "c"], 1.0), (["b", "c"], 1.0)])
        #expect(fused.map { $0.0 } == ["b", "c", "a"])
        let best = 2.0 / 61
        #expect(Self.close(fused[0].1, (1.0 / 62 + 1.0 / 61) / best))
        #expect(Self.close(fused[1].1, (1.0 / 63 + 1.0 / 62) / best))
        #expect(Self.close(fused[2].1, 0.5))
        for (item, score) in fused { #expect(score > 0 && score < 1, "\(item)") }
    }

    @Test("one ranking alone: first is 1, the next 61/62")
    func single() {
        let fused = KnowledgeBase.fuse([(["a", "b"], 2.0)])
        #expect(fused.map { $0.0 } == ["a", "b"])
        #expect(fused[0].1 == 1.0)
        #expect(Self.close(fused[1].1, 61.0 / 62))
    }

    @Test("a ranking of weight 0 adds nothing")
    func zeroWeight() {
        let fused = KnowledgeBase.fuse([(["a", "b"], 1.0), (["b", "a", "z"], 0.0)])
        #expect(fused.map { $0.0 } == ["a", "b", "z"])
        #expect(fused[0].1 == 1.0)
        #expect(Self.close(fused[1].1, 61.0 / 62))
        #expect(fused[2].1 == 0)
        #expect(KnowledgeBase.fuse([(["a", "b"], 0.0)]).isEmpty, "nothing weighted: nothing fused")
    }

    @Test("a heavier text ranking wins over the vector ranking")
    func weights() {
        // Equal weights: v and t tie, and v was met first.
        #expect(KnowledgeBase.fuse([(["v", "t"], 1.0), (["t", "v"], 1.0)]).map { $0.0 } == ["v", "t"])
        // t: 1/62 + 3/61 beats v: 1/61 + 3/62.
        let fused = KnowledgeBase.fuse([(["v", "t"], 1.0), (["t", "v"], 3.0)])
        #expect(fused.map { $0.0 } == ["t", "v"])
        let best = 4.0 / 61
        #expect(Self.close(fused[0].1, (1.0 / 62 + 3.0 / 61) / best))
        #expect(Self.close(fused[1].1, (1.0 / 61 + 3.0 / 62) / best))
        #expect(fused[0].1 < 1)
    }

    @Test("ties keep the order items were first met in")
    func ties() {
        #expect(KnowledgeBase.fuse([(["x", "y"], 1.0), (["y", "x"], 1.0)]).map { $0.0 } == ["x", "y"])
        #expect(KnowledgeBase.fuse([(["y", "x"], 1.0), (["x", "y"], 1.0)]).map { $0.0 } == ["y", "x"])
        // a and c tie (1/61 + 1/63 each), just above b (2/62).
        #expect(KnowledgeBase.fuse([(["a", "b", "c"], 1.0), (["c", "b", "a"], 1.0)]).map { $0.0 } == ["a", "c", "b"])
    }

    @Test("no rankings: nothing")
    func empty() {
        let none: [([String], Double)] = []
        #expect(KnowledgeBase.fuse(none).isEmpty)
        let emptyLists: [([String], Double)] = [([], 1), ([], 1)]
        #expect(KnowledgeBase.fuse(emptyLists).isEmpty)
    }
}

@Suite("Knowledge search: the in-memory index")
struct KnowledgeIndexTests {
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    static func file(_ id: String, _ filename: String, attributes: [String: JSONValue] = [:]) -> VectorStoreFile {
        VectorStoreFile(
            storeID: "vs_1", fileID: id, filename: filename, status: .completed, maxChunkTokens: 800, overlapTokens: 400, attributes: attributes,
            keyID: nil, createdAt: epoch)
    }

    /// Three searchable chunks of dimension 3, one of dimension 2, one without a vector, one of zeros.
    static let snapshot = KnowledgeIndex.Snapshot(
        version: 3,
        chunks: [
            KnowledgeChunk(fileID: "f1", position: 0, text: "x axis", vector: [1, 0, 0]),
            KnowledgeChunk(fileID: "f1", position: 1, text: "x and y", vector: [1, 1, 0]),
            KnowledgeChunk(fileID: "f2", position: 0, text: "z axis", vector: [0, 0, 2]),
            KnowledgeChunk(fileID: "f2", position: 1, text: "another model", vector: [1, 2]),
            KnowledgeChunk(fileID: "f3", position: 0, text: "no vector", vector: []),
            KnowledgeChunk(fileID: "f3", position: 1, text: "zeros", vector: [0, 0, 0]),
        ],
        files: [
            KnowledgeIndexTests.file("f1", "axes.md", attributes: ["region": "eu"]), KnowledgeIndexTests.file("f2", "depth.md"),
            KnowledgeIndexTests.file("f3", "plain.txt"), KnowledgeIndexTests.file("f1", "duplicate.md"),
        ])

    /// `[1, 2, 2] / 3`.
    static let query: [Float] = [Float(1.0 / 3), Float(2.0 / 3), Float(2.0 / 3)]

    @Test("chunks of the majority dimension are searchable; another dimension, none, or zeros are not")
    func searchable() {
        let snapshot = Self.snapshot
        #expect(snapshot.version == 3)
        #expect(snapshot.dimension == 3)
        #expect(snapshot.chunks.count == 6)
        #expect(snapshot.chunks.map(\.hasVector) == [true, true, true, false, false, false])
        #expect(snapshot.chunks.map(\.text) == ["x axis", "x and y", "z axis", "another model", "no vector", "zeros"])
        #expect(snapshot.vectors.count == 6 * 3)
        // Unit vectors, laid end to end; zeros for a chunk without one.
        let half = Float(0.5).squareRoot()
        for (actual, expected) in zip(snapshot.vectors, [1, 0, 0, half, half, 0, 0, 0, 1] as [Float]) {
            #expect(abs(actual - expected) < 1e-6)
        }
        #expect(snapshot.vectors[9...].allSatisfy { $0 == 0 })
    }

    @Test("nearest: best first with cosine similarity, within the limit, past the include filter")
    func nearest() {
        let snapshot = Self.snapshot
        // Cosines with [1, 2, 2] / 3: [1, 1, 0] → 1/√2, [0, 0, 1] → 2/3, [1, 0, 0] → 1/3.
        let expected: [(index: Int, similarity: Double)] = [(1, 1 / 2.0.squareRoot()), (2, 2.0 / 3), (0, 1.0 / 3)]
        let all = snapshot.nearest(to: Self.query, limit: 10) { _ in true }
        #expect(all.map { $0.index } == expected.map { $0.index })
        for (hit, want) in zip(all, expected) {
            #expect(abs(Double(hit.similarity) - want.similarity) < 1e-5, "chunk \(hit.index): \(hit.similarity)")
        }
        let two = snapshot.nearest(to: Self.query, limit: 2) { _ in true }
        #expect(two.map { $0.index } == [1, 2])
        let one = snapshot.nearest(to: Self.query, limit: 1) { _ in true }
        #expect(one.map { $0.index } == [1])
        let withoutBest = snapshot.nearest(to: Self.query, limit: 2) { $0 != 1 }
        #expect(withoutBest.map { $0.index } == [2, 0])
        #expect(abs(Double(withoutBest[0].similarity) - 2.0 / 3) < 1e-5)
        let onlyFirstFile = snapshot.nearest(to: Self.query, limit: 10) { snapshot.chunks[$0].fileID == "f1" }
        #expect(onlyFirstFile.map { $0.index } == [1, 0])
        // A negative similarity still ranks, last.
        let opposite: [Float] = [-1, 0, 0]
        let reversed = snapshot.nearest(to: opposite, limit: 10) { _ in true }
        #expect(reversed.map { $0.index } == [2, 1, 0])
        #expect(abs(Double(reversed[2].similarity) + 1) < 1e-5)
        #expect(abs(Double(reversed[1].similarity) + 1 / 2.0.squareRoot()) < 1e-5)
    }

    @Test("nearest finds nothing for a query of another dimension, a limit of 0, or a snapshot without vectors")
    func nearestNothing() {
        #expect(Self.snapshot.nearest(to: [1, 0], limit: 10) { _ in true }.isEmpty)
        #expect(Self.snapshot.nearest(to: Self.query, limit: 0) { _ in true }.isEmpty)
        #expect(Self.snapshot.nearest(to: Self.query, limit: 10) { _ in false }.isEmpty)
        let lexical = KnowledgeIndex.Snapshot(
            version: 1, chunks: [KnowledgeChunk(fileID: "f1", position: 0, text: "words only", vector: [])], files: [Self.file("f1", "a.md")])
        #expect(lexical.dimension == 0)
        #expect(lexical.vectors.isEmpty)
        #expect(lexical.chunks.map(\.hasVector) == [false])
        #expect(lexical.nearest(to: [], limit: 10) { _ in true }.isEmpty)
    }

    @Test("a tie between dimensions goes to the smaller")
    func dimensionTie() {
        let snapshot = KnowledgeIndex.Snapshot(
            version: 1,
            chunks: [
                KnowledgeChunk(fileID: "f", position: 0, text: "a", vector: [1, 0, 0]),
                KnowledgeChunk(fileID: "f", position: 1, text: "b", vector: [1, 0]),
                KnowledgeChunk(fileID: "f", position: 2, text: "c", vector: [0, 1, 0]),
                KnowledgeChunk(fileID: "f", position: 3, text: "d", vector: [0, 1]),
            ], files: [])
        #expect(snapshot.dimension == 2)
        #expect(snapshot.chunks.map(\.hasVector) == [false, true, false, true])
    }

    @Test("chunks are found by file and position; files by id, with their names and attributes")
    func places() {
        let snapshot = Self.snapshot
        #expect(snapshot.chunkIndex(fileID: "f1", position: 0) == 0)
        #expect(snapshot.chunkIndex(fileID: "f1", position: 1) == 1)
        #expect(snapshot.chunkIndex(fileID: "f2", position: 1) == 3)
        #expect(snapshot.chunkIndex(fileID: "f3", position: 1) == 5)
        #expect(snapshot.chunkIndex(fileID: "f1", position: 2) == nil)
        #expect(snapshot.chunkIndex(fileID: "f9", position: 0) == nil)
        #expect(snapshot.files.count == 3)
        #expect(snapshot.files["f1"]?.filename == "axes.md", "the first of a file listed twice is kept")
        #expect(snapshot.files["f1"]?.attributes == ["region": "eu"])
        #expect(snapshot.files["f2"]?.filename == "depth.md")
        #expect(snapshot.files["f2"]?.attributes == [:])
        #expect(snapshot.files["f9"]?.filename == nil)
    }

    @Test("searches of a store at once load it once; the others use what was loaded, or load in turn after a failure")
    func sharedLoad() async throws {
        let index = KnowledgeIndex()
        let loads = SnapshotLoads()
        let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await index.snapshot(of: "vs_1", version: 1) { _ in
                        try await Task.sleep(for: .milliseconds(20))
                        return loads.load("vs_1", Self.small(version: 1))
                    }.version
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(versions.count == 20 && versions.allSatisfy { $0 == 1 })
        #expect(loads.count("vs_1") == 1, "one load for twenty searches")

        struct Broken: Error {}
        let failing = KnowledgeIndex()
        await #expect(throws: Broken.self) {
            _ = try await failing.snapshot(of: "vs_2", version: 1) { (_: KnowledgeIndex.Snapshot?) async throws -> KnowledgeIndex.Snapshot in throw Broken() }
        }
        let after = try await failing.snapshot(of: "vs_2", version: 1) { _ in loads.load("vs_2", Self.small(version: 1)) }
        #expect(after.version == 1 && loads.count("vs_2") == 1, "a failed load leaves the store free to load")
    }

    @Test("a new version reuses the segments of files still held as they were, and reads only the others")
    func incremental() throws {
        var readded = Self.file("f1", "axes.md")
        readded.createdAt = Self.epoch.addingTimeInterval(60)
        let files = [readded, Self.file("f2", "depth.md"), Self.file("f4", "new.md")]
        let (kept, missing) = KnowledgeIndex.Snapshot.reusable(from: Self.snapshot, for: files)
        #expect(kept.keys.sorted() == ["f2"], "f1 was added again, f3 removed, f4 is new")
        #expect(missing.map(\.fileID) == ["f1", "f4"])
        let fresh = [
            KnowledgeIndex.Segment(fileID: "f1", addedAt: readded.createdAt, chunks: [KnowledgeChunk(fileID: "f1", position: 0, text: "y axis", vector: [0, 1, 0])]),
            try #require(kept["f2"]),
            KnowledgeIndex.Segment(fileID: "f4", addedAt: Self.epoch, chunks: []),
        ]
        let next = KnowledgeIndex.Snapshot(version: 4, segments: fresh, files: files)
        #expect(next.chunks.map(\.text) == ["y axis", "z axis", "another model"])
        #expect(next.chunkIndex(fileID: "f2", position: 0) == 1)
        #expect(next.nearest(to: [0, 1, 0], limit: 1) { _ in true }.first?.index == 0)
        #expect(KnowledgeIndex.Snapshot.reusable(from: nil, for: files).missing.count == 3)
    }

    /// A store of `chunks` chunks of 3 floats each, at `version`.
    static func small(version: Int64, chunks: Int = 1) -> KnowledgeIndex.Snapshot {
        KnowledgeIndex.Snapshot(
            version: version, chunks: (0..<chunks).map { KnowledgeChunk(fileID: "f", position: $0, text: "t\($0)", vector: [1, 0, 0]) },
            files: [Self.file("f", "f.md")])
    }

    @Test("a store's snapshot is reused while its version holds, reloaded for a new one, and let go when forgotten")
    func versions() async throws {
        let index = KnowledgeIndex()
        let loads = SnapshotLoads()
        let first = try await index.snapshot(of: "vs_1", version: 1) { _ in loads.load("vs_1", Self.small(version: 1)) }
        #expect(first.version == 1 && loads.count("vs_1") == 1)
        let again = try await index.snapshot(of: "vs_1", version: 1) { _ in loads.load("vs_1", Self.small(version: 1)) }
        #expect(again.version == 1)
        #expect(loads.count("vs_1") == 1, "the same version is not loaded again")

        let newer = try await index.snapshot(of: "vs_1", version: 2) { _ in loads.load("vs_1", Self.small(version: 2, chunks: 2)) }
        #expect(newer.version == 2 && newer.chunks.count == 2)
        #expect(loads.count("vs_1") == 2, "a new version is loaded")
        _ = try await index.snapshot(of: "vs_1", version: 2) { _ in loads.load("vs_1", Self.small(version: 2, chunks: 2)) }
        #expect(loads.count("vs_1") == 2)

        // Another store is held apart.
        _ = try await index.snapshot(of: "vs_2", version: 2) { _ in loads.load("vs_2", Self.small(version: 2)) }
        #expect(loads.count("vs_2") == 1 && loads.count("vs_1") == 2)

        // A search that read an older version (versions only grow) is given the newer one held.
        let older = try await index.snapshot(of: "vs_1", version: 1) { _ in loads.load("vs_1", Self.small(version: 1)) }
        #expect(older.version == 2 && loads.count("vs_1") == 2)

        index.forget("vs_1")
        _ = try await index.snapshot(of: "vs_1", version: 2) { _ in loads.load("vs_1", Self.small(version: 2, chunks: 2)) }
        #expect(loads.count("vs_1") == 3, "a forgotten store is loaded again")
        _ = try await index.snapshot(of: "vs_2", version: 2) { _ in loads.load("vs_2", Self.small(version: 2)) }
        #expect(loads.count("vs_2") == 1, "forgetting one store keeps the others")
    }

    @Test("a failed load holds nothing")
    func failedLoad() async throws {
        struct Broken: Error {}
        let index = KnowledgeIndex()
        let loads = SnapshotLoads()
        await #expect(throws: Broken.self) {
            _ = try await index.snapshot(of: "vs_1", version: 1) { (_: KnowledgeIndex.Snapshot?) async throws -> KnowledgeIndex.Snapshot in throw Broken() }
        }
        _ = try await index.snapshot(of: "vs_1", version: 1) { _ in loads.load("vs_1", Self.small(version: 1)) }
        #expect(loads.count("vs_1") == 1)
    }

    @Test("past the byte budget, the least recently searched store is let go")
    func eviction() async throws {
        // The budget holds one store.
        let index = KnowledgeIndex(byteBudget: Self.small(version: 1).bytes + 1)
        let loads = SnapshotLoads()
        _ = try await index.snapshot(of: "vs_a", version: 1) { _ in loads.load("vs_a", Self.small(version: 1)) }
        _ = try await index.snapshot(of: "vs_a", version: 1) { _ in loads.load("vs_a", Self.small(version: 1)) }
        #expect(loads.count("vs_a") == 1)
        _ = try await index.snapshot(of: "vs_b", version: 1) { _ in loads.load("vs_b", Self.small(version: 1)) }
        _ = try await index.snapshot(of: "vs_b", version: 1) { _ in loads.load("vs_b", Self.small(version: 1)) }
        #expect(loads.count("vs_b") == 1, "the store just loaded is kept")
        _ = try await index.snapshot(of: "vs_a", version: 1) { _ in loads.load("vs_a", Self.small(version: 1)) }
        #expect(loads.count("vs_a") == 2, "the first store was let go for the second")

        // A store alone past the budget is still kept.
        let alone = KnowledgeIndex(byteBudget: 1)
        let aloneLoads = SnapshotLoads()
        _ = try await alone.snapshot(of: "vs_big", version: 1) { _ in aloneLoads.load("vs_big", Self.small(version: 1, chunks: 4)) }
        _ = try await alone.snapshot(of: "vs_big", version: 1) { _ in aloneLoads.load("vs_big", Self.small(version: 1, chunks: 4)) }
        #expect(aloneLoads.count("vs_big") == 1)
    }

    @Test("eviction goes by the last search, not the first load")
    func leastRecentlyUsed() async throws {
        // Two stores fit; a third does not.
        let index = KnowledgeIndex(byteBudget: 2 * Self.small(version: 1).bytes + 1)
        let loads = SnapshotLoads()
        _ = try await index.snapshot(of: "vs_a", version: 1) { _ in loads.load("vs_a", Self.small(version: 1)) }
        _ = try await index.snapshot(of: "vs_b", version: 1) { _ in loads.load("vs_b", Self.small(version: 1)) }
        // a searched again: b is now the least recent.
        _ = try await index.snapshot(of: "vs_a", version: 1) { _ in loads.load("vs_a", Self.small(version: 1)) }
        _ = try await index.snapshot(of: "vs_c", version: 1) { _ in loads.load("vs_c", Self.small(version: 1)) }
        _ = try await index.snapshot(of: "vs_a", version: 1) { _ in loads.load("vs_a", Self.small(version: 1)) }
        _ = try await index.snapshot(of: "vs_c", version: 1) { _ in loads.load("vs_c", Self.small(version: 1)) }
        #expect(loads.count("vs_a") == 1 && loads.count("vs_c") == 1)
        _ = try await index.snapshot(of: "vs_b", version: 1) { _ in loads.load("vs_b", Self.small(version: 1)) }
        #expect(loads.count("vs_b") == 2, "b was let go")

        // Within a generous budget nothing is let go.
        let roomy = KnowledgeIndex(byteBudget: 1 << 20)
        let roomyLoads = SnapshotLoads()
        for store in ["vs_a", "vs_b", "vs_c", "vs_a", "vs_b", "vs_c"] {
            _ = try await roomy.snapshot(of: store, version: 1) { _ in roomyLoads.load(store, Self.small(version: 1)) }
        }
        #expect(["vs_a", "vs_b", "vs_c"].map(roomyLoads.count) == [1, 1, 1])
    }
}

@Suite("Knowledge search: knowledge put before the model")
struct KnowledgeGenerationTests {
    static let messages: [JSONValue] = [
        ["role": "system", "content": "Be brief."],
        ["role": "user", "content": "What about refunds?"],
        ["role": "assistant", "content": "Within 30 days."],
        ["role": "user", "content": "And for shipping?"],
        ["role": "assistant", "content": nil, "tool_calls": []],
    ]

    @Test("the newest user message's text: a string, or its text parts joined")
    func newestUserText() {
        #expect(KnowledgeBase.newestUserText(Self.messages) == "And for shipping?")
        let parts: [JSONValue] = [
            ["role": "user", "content": "older"],
            [
                "role": "user",
                "content": [
                    ["type": "text", "text": "Compare these"], ["type": "image_url", "image_url": ["url": "https://example.com/a.png"]],
                    ["type": "text", "text": "two plans."],
                ],
            ],
        ]
        #expect(KnowledgeBase.newestUserText(parts) == "Compare these\ntwo plans.")
        #expect(KnowledgeBase.newestUserText([["role": "system", "content": "x"], ["role": "assistant", "content": "y"]]) == "")
        #expect(KnowledgeBase.newestUserText([]) == "")
        #expect(KnowledgeBase.newestUserText([["role": "user", "content": nil]]) == "")
    }

    @Test("the knowledge goes just before the newest user message, or at the end without one")
    func inserting() {
        let knowledge: JSONValue = ["role": "system", "content": "knowledge"]
        let inserted = KnowledgeBase.inserting(knowledge, into: Self.messages)
        #expect(inserted.count == Self.messages.count + 1)
        #expect(inserted[3] == knowledge)
        #expect(Array(inserted[..<3]) == Array(Self.messages[..<3]))
        #expect(Array(inserted[4...]) == Array(Self.messages[3...]))

        let noUser: [JSONValue] = [["role": "system", "content": "Be brief."], ["role": "assistant", "content": "Hi."]]
        #expect(KnowledgeBase.inserting(knowledge, into: noUser) == noUser + [knowledge])
        #expect(KnowledgeBase.inserting(knowledge, into: []) == [knowledge])
        let onlyUser: [JSONValue] = [["role": "user", "content": "Hi"]]
        #expect(KnowledgeBase.inserting(knowledge, into: onlyUser) == [knowledge] + onlyUser)
    }

    static func result(_ fileID: String, _ filename: String, _ text: String, score: Double) -> KnowledgeBase.Result {
        KnowledgeBase.Result(storeID: "vs_1", fileID: fileID, filename: filename, position: 0, text: text, attributes: ["region": "eu"], score: score)
    }

    @Test("the context message is a system message of numbered chunks, each under its file's name")
    func contextMessage() throws {
        let message = KnowledgeBase.contextMessage([
            Self.result("file-1", "refunds.md", "Refunds are made within 30 days.", score: 0.9),
            Self.result("file-2", "shipping.md", "Shipping is free over $50.", score: 0.5),
        ])
        #expect(message["role"] == "system")
        #expect(message.object?.count == 2)
        let text = try #require(message["content"]?.string)
        #expect(text.hasSuffix("\n[1] refunds.md\nRefunds are made within 30 days.\n\n[2] shipping.md\nShipping is free over $50.\n"), "\(text)")
        let first = try #require(text.range(of: "[1] refunds.md"))
        let second = try #require(text.range(of: "[2] shipping.md"))
        #expect(first.upperBound <= second.lowerBound)
        #expect(!text.contains("[3]"))
    }

    @Test("a result as the search endpoint answers it")
    func resultJSON() {
        let json = Self.result("file-1", "refunds.md", "Refunds.", score: 0.75).json
        #expect(
            json
                == [
                    "file_id": "file-1", "filename": "refunds.md", "score": 0.75, "attributes": ["region": "eu"],
                    "content": [["type": "text", "text": "Refunds."]],
                ])
    }
}
