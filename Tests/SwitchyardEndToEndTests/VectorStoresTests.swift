import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Knowledge bases end to end: files uploaded and added to vector stores, ingested off the request path by an
/// embedder (`up-embedding`) that encodes topic keywords, searched, and put before a chat model (`up-model`) that
/// records what it was sent — through the Vector Stores API, the Responses `file_search` tool and the
/// `x-switchyard-knowledge` header.
@Suite("Vector stores")
struct VectorStoresTests {
    static let yaml = "knowledge: {embedding_model: embed}\n" + GatewayHarness.singleModel

    // MARK: Doubles

    static let topics = ["billing", "refund", "shipping", "warranty", "password"]

    /// A text's vector: one dimension per topic keyword it contains, and a small constant one.
    static func vector(_ text: String) -> [Double] {
        topics.map { text.lowercased().contains($0) ? 1.0 : 0.0 } + [0.05]
    }

    static func upstream() -> UpstreamDouble {
        UpstreamDouble { request in reply(to: request) }
    }

    /// The embedder's answer (a 400 for any input that mentions "poison"), or the chat model's: "Answer.", streamed
    /// when asked.
    static func reply(to request: UpstreamDouble.RecordedRequest) -> UpstreamDouble.Reply {
        guard request.model == "up-embedding" else {
            if request.text.contains(#""stream":true"#) {
                return .events(OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Ans", "wer."], includeUsage: true).map { .data($0) } + [.done])
            }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Answer."))
        }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.text.utf8))) as? [String: Any]
        let inputs = body?["input"] as? [String] ?? []
        if inputs.contains(where: { $0.lowercased().contains("poison") }) {
            return .json(status: 400, OpenAIWireSamples.error("This input cannot be embedded.", type: "invalid_request_error", code: nil))
        }
        let data = inputs.enumerated().map { index, text -> [String: Any] in ["object": "embedding", "index": index, "embedding": vector(text)] }
        let answer: [String: Any] = ["object": "list", "data": data, "model": "up-embedding", "usage": ["prompt_tokens": 1, "total_tokens": 1]]
        return .json(String(decoding: try! JSONSerialization.data(withJSONObject: answer), as: UTF8.self))
    }

    /// How many requests the chat model has had.
    static func chatRequests(_ upstream: UpstreamDouble) -> Int {
        upstream.requests.filter { $0.model == "up-model" }.count
    }

    /// The body of the chat model's latest request.
    static func lastChatBody(_ upstream: UpstreamDouble) throws -> [String: Any] {
        let sent = try #require(upstream.requests.last(where: { $0.model == "up-model" }))
        return try #require((try? JSONSerialization.jsonObject(with: Data(sent.text.utf8))) as? [String: Any], "\(sent.text)")
    }

    // MARK: Documents

    struct Document: Sendable {
        let filename: String
        let text: String
        let team: String
    }

    static let refund = Document(
        filename: "refund.md", text: "# Refunds\nA refund is paid back to the original card within 14 days. Ask for a refund from the orders page.",
        team: "billing")
    static let shipping = Document(
        filename: "shipping.md", text: "# Shipping\nParcels leave our warehouse every weekday. Shipping to Europe takes three days.", team: "logistics")
    static let warranty = Document(
        filename: "warranty.md", text: "# Warranty\nThe warranty covers defects for two years from purchase. Keep the receipt.", team: "support")
    /// Found by a word the embedder does not know; about two topics, so less like a query of none than the others.
    static let mascot = Document(
        filename: "mascot.md", text: "# Mascot\nOur zebra mascot greets visitors. Warranty and password questions go to the front desk.", team: "support")

    // MARK: Helpers

    /// Uploads a file; its id.
    static func upload(_ gateway: GatewayClient, _ filename: String, _ text: String, key: String = GatewayHarness.masterKey) async throws -> String {
        let reply = try await FilesTests.upload(gateway, filename: filename, content: text, key: key)
        #expect(reply.status == 200, "\(reply.body)")
        return try #require(reply.json["id"] as? String, "\(reply.body)")
    }

    /// Creates a vector store with `body`; its id.
    static func createStore(_ gateway: GatewayClient, _ body: String = #"{"name":"Support"}"#, key: String = GatewayHarness.masterKey) async throws
        -> String
    {
        let created = try await gateway.request("/v1/vector_stores", body: body, key: key)
        #expect(created.status == 200, "\(created.body)")
        return try #require(created.json["id"] as? String, "\(created.body)")
    }

    /// `POST /v1/vector_stores/{store}/files` with the file and `extra` members.
    @discardableResult
    static func addFile(_ gateway: GatewayClient, _ fileID: String, to storeID: String, _ extra: String = "", key: String = GatewayHarness.masterKey)
        async throws -> GatewayClient.Reply
    {
        try await gateway.request("/v1/vector_stores/\(storeID)/files", body: #"{"file_id":"\#(fileID)"\#(extra)}"#, key: key)
    }

    /// The store's file once its ingestion has ended (or 20 s have passed).
    static func ingested(_ gateway: GatewayClient, _ fileID: String, in storeID: String, key: String = GatewayHarness.masterKey) async throws
        -> [String: Any]
    {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let file = try await gateway.request(.GET, "/v1/vector_stores/\(storeID)/files/\(fileID)", key: key).json
            if file["status"] as? String != "in_progress" || ContinuousClock.now > deadline { return file }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A store of `documents`, each added with its team as the attribute `team` and ingested: the store's id and the
    /// file ids by file name.
    static func knowledgeBase(_ gateway: GatewayClient, _ documents: [Document] = [refund, shipping, warranty], key: String = GatewayHarness.masterKey)
        async throws -> (store: String, files: [String: String])
    {
        let store = try await createStore(gateway, key: key)
        var files: [String: String] = [:]
        for document in documents {
            let id = try await upload(gateway, document.filename, document.text, key: key)
            let added = try await addFile(gateway, id, to: store, #","attributes":{"team":"\#(document.team)"}"#, key: key)
            #expect(added.status == 200, "\(added.body)")
            files[document.filename] = id
        }
        for id in files.values {
            let file = try await ingested(gateway, id, in: store, key: key)
            #expect(file["status"] as? String == "completed", "\(file)")
        }
        return (store, files)
    }

    static func query(_ text: String, _ extra: String = "") -> String { #"{"query":"\#(text)"\#(extra)}"# }
    static let vectorOnly = #","ranking_options":{"hybrid_search":{"embedding_weight":1,"text_weight":0}}"#
    static let wordsOnly = #","ranking_options":{"hybrid_search":{"embedding_weight":0,"text_weight":1}}"#

    /// The results of a search that must succeed.
    static func search(_ gateway: GatewayClient, _ storeID: String, _ body: String, key: String = GatewayHarness.masterKey) async throws
        -> [[String: Any]]
    {
        let reply = try await gateway.request("/v1/vector_stores/\(storeID)/search", body: body, key: key)
        #expect(reply.status == 200, "\(body) → \(reply.body)")
        #expect(reply.json["object"] as? String == "vector_store.search_results.page", "\(reply.body)")
        return reply.json["data"] as? [[String: Any]] ?? []
    }

    static func fileIDs(_ results: [[String: Any]]) -> [String] { results.compactMap { $0["file_id"] as? String } }
    static func text(of result: [String: Any]) -> String { ((result["content"] as? [[String: Any]])?.first?["text"] as? String) ?? "" }
    static func scores(_ results: [[String: Any]]) -> [Double] { results.compactMap { $0["score"] as? Double } }
    static func param(_ reply: GatewayClient.Reply) -> String? { (reply.json["error"] as? [String: Any])?["param"] as? String }

    /// The `N` of an `x-switchyard-knowledge: results=N` header.
    static func found(_ header: String?) -> Int? {
        guard let header, header.hasPrefix("results=") else { return nil }
        return Int(header.dropFirst("results=".count))
    }

    static func chat(_ text: String, stream: Bool = false) -> String {
        #"{"model":"chat","stream":\#(stream),"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"\#(text)"}]}"#
    }

    /// A Responses request asking "How do refunds work?" with a `file_search` tool over `stores`.
    static func fileSearch(_ stores: [String], stream: Bool = false, includeResults: Bool = false) -> String {
        let ids = stores.map { "\"\($0)\"" }.joined(separator: ",")
        let extra = (stream ? #","stream":true"# : "") + (includeResults ? #","include":["file_search_call.results"]"# : "")
        return #"{"model":"chat","input":"How do refunds work?","tools":[{"type":"file_search","vector_store_ids":[\#(ids)]}]\#(extra)}"#
    }

    /// The JSON payloads of an SSE text.
    static func events(_ text: String) -> [[String: Any]] {
        sseData(text).compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    // MARK: Tests

    @Test("create, add files, list, retrieve, rename, remove a file, delete: the shapes the openai SDK reads")
    func lifecycle() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let a = try await Self.upload(gateway, Self.refund.filename, Self.refund.text)
                let b = try await Self.upload(gateway, Self.shipping.filename, Self.shipping.text)
                let created = try await gateway.request("/v1/vector_stores", body: #"{"name":"Support","file_ids":["\#(a)"]}"#)
                #expect(created.status == 200, "\(created.body)")
                let store = try #require(created.json["id"] as? String, "\(created.body)")
                #expect(store.hasPrefix("vs_"))
                #expect(created.json["object"] as? String == "vector_store", "\(created.body)")
                #expect(created.json["name"] as? String == "Support", "\(created.body)")
                #expect((created.json["file_counts"] as? [String: Any])?["total"] as? Int == 1, "\(created.body)")
                #expect(["in_progress", "completed"].contains(created.json["status"] as? String ?? ""), "\(created.body)")

                let first = try await Self.ingested(gateway, a, in: store)
                #expect(first["status"] as? String == "completed", "\(first)")
                #expect(first["object"] as? String == "vector_store.file" && first["id"] as? String == a, "\(first)")
                #expect(first["vector_store_id"] as? String == store, "\(first)")
                #expect((first["usage_bytes"] as? Int ?? 0) > 0, "\(first)")
                #expect(first["last_error"] is NSNull, "\(first)")
                let chunking = first["chunking_strategy"] as? [String: Any]
                let sizes = chunking?["static"] as? [String: Any]
                #expect(chunking?["type"] as? String == "static", "\(first)")
                #expect(sizes?["max_chunk_size_tokens"] as? Int == 800 && sizes?["chunk_overlap_tokens"] as? Int == 400, "\(first)")

                let added = try await Self.addFile(gateway, b, to: store, #","attributes":{"team":"billing","year":2024}"#)
                #expect(added.status == 200, "\(added.body)")
                #expect(added.json["object"] as? String == "vector_store.file" && added.json["id"] as? String == b, "\(added.body)")
                let attributes = added.json["attributes"] as? [String: Any]
                #expect(attributes?["team"] as? String == "billing" && attributes?["year"] as? Int == 2024, "\(added.body)")
                #expect(try await Self.ingested(gateway, b, in: store)["status"] as? String == "completed")
                let again = try await Self.addFile(gateway, b, to: store)
                #expect(again.status == 200 && again.json["status"] as? String == "completed", "a file held is answered as it is: \(again.body)")

                let listed = try await gateway.request(.GET, "/v1/vector_stores/\(store)/files")
                let ids = (listed.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(Set(ids) == [a, b] && ids.count == 2, "\(listed.body)")
                #expect(listed.json["object"] as? String == "list" && listed.json["has_more"] as? Bool == false, "\(listed.body)")
                let completed = try await gateway.request(.GET, "/v1/vector_stores/\(store)/files?filter=completed")
                #expect((completed.json["data"] as? [[String: Any]])?.count == 2, "\(completed.body)")
                let failed = try await gateway.request(.GET, "/v1/vector_stores/\(store)/files?filter=failed")
                #expect((failed.json["data"] as? [[String: Any]])?.isEmpty == true, "\(failed.body)")
                let page = try await gateway.request(.GET, "/v1/vector_stores/\(store)/files?limit=1")
                #expect((page.json["data"] as? [[String: Any]])?.count == 1 && page.json["has_more"] as? Bool == true, "\(page.body)")
                #expect(try await gateway.request(.GET, "/v1/vector_stores/\(store)/files?filter=bogus").status == 400)

                let stores = try await gateway.request(.GET, "/v1/vector_stores")
                #expect((stores.json["data"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == store }, "\(stores.body)")
                let retrieved = try await gateway.request(.GET, "/v1/vector_stores/\(store)")
                let counts = retrieved.json["file_counts"] as? [String: Any]
                #expect(counts?["completed"] as? Int == 2 && counts?["total"] as? Int == 2, "\(retrieved.body)")
                #expect(retrieved.json["status"] as? String == "completed" && (retrieved.json["usage_bytes"] as? Int ?? 0) > 0, "\(retrieved.body)")

                let renamed = try await gateway.request("/v1/vector_stores/\(store)", body: #"{"name":"Help desk"}"#)
                #expect(renamed.status == 200 && renamed.json["name"] as? String == "Help desk", "\(renamed.body)")
                #expect(try await gateway.request(.GET, "/v1/vector_stores/\(store)").json["name"] as? String == "Help desk")
                let relabelled = try await gateway.request("/v1/vector_stores/\(store)/files/\(b)", body: #"{"attributes":{"team":"support"}}"#)
                #expect((relabelled.json["attributes"] as? [String: Any])?["team"] as? String == "support", "\(relabelled.body)")

                let removed = try await gateway.request(.DELETE, "/v1/vector_stores/\(store)/files/\(a)")
                #expect(removed.status == 200, "\(removed.body)")
                #expect(removed.json["object"] as? String == "vector_store.file.deleted" && removed.json["deleted"] as? Bool == true, "\(removed.body)")
                let gone = try await gateway.request(.GET, "/v1/vector_stores/\(store)/files/\(a)")
                #expect(gone.status == 404 && gone.errorCode == "file_not_found", "\(gone.body)")
                #expect(try await gateway.request(.GET, "/v1/files/\(a)").status == 200, "the file itself stays in the Files API")
                let searched = try await Self.search(gateway, store, Self.query("refund", Self.wordsOnly))
                #expect(!Self.fileIDs(searched).contains(a), "a removed file's chunks are not found: \(searched)")

                let deleted = try await gateway.request(.DELETE, "/v1/vector_stores/\(store)")
                #expect(deleted.json["object"] as? String == "vector_store.deleted" && deleted.json["deleted"] as? Bool == true, "\(deleted.body)")
                let missing = try await gateway.request(.GET, "/v1/vector_stores/\(store)")
                #expect(missing.status == 404 && missing.errorCode == "vector_store_not_found", "\(missing.body)")
                #expect(try await gateway.request(.DELETE, "/v1/vector_stores/\(store)").status == 404)
            }
        }
    }

    @Test("a static chunking strategy cuts long files into overlapping chunks of its size; invalid strategies are 400s naming the field")
    func chunking() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let sentences = (1...60).map { "Sentence \($0) says the harbour lights stay on." }
                let file = try await Self.upload(gateway, "harbour.md", sentences.joined(separator: "\n"))
                let store = try await Self.createStore(gateway)
                let strategy = #","chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":100,"chunk_overlap_tokens":50}}"#
                let added = try await Self.addFile(gateway, file, to: store, strategy)
                #expect(added.status == 200, "\(added.body)")
                let ingested = try await Self.ingested(gateway, file, in: store)
                #expect(ingested["status"] as? String == "completed", "\(ingested)")
                let sizes = (ingested["chunking_strategy"] as? [String: Any])?["static"] as? [String: Any]
                #expect(sizes?["max_chunk_size_tokens"] as? Int == 100 && sizes?["chunk_overlap_tokens"] as? Int == 50, "\(ingested)")

                let results = try await Self.search(gateway, store, Self.query("harbour lights", #","max_num_results":50"#))
                let texts = results.map { Self.text(of: $0) }
                #expect(texts.count >= 4, "60 sentences are several chunks of 100 tokens: \(texts)")
                for text in texts {
                    #expect(text.split(whereSeparator: \.isWhitespace).count <= 100, "a chunk over 100 tokens: \(text)")
                }
                let shared = sentences.filter { sentence in texts.filter { $0.contains(sentence) }.count >= 2 }
                #expect(!shared.isEmpty, "consecutive chunks overlap: \(texts)")
                let lost = sentences.filter { sentence in !texts.contains { $0.contains(sentence) } }
                #expect(lost.isEmpty, "every sentence is whole in some chunk: \(lost)")

                let invalid = [
                    (
                        #"{"type":"static","static":{"max_chunk_size_tokens":100,"chunk_overlap_tokens":60}}"#,
                        "chunking_strategy.static.chunk_overlap_tokens"
                    ),
                    (
                        #"{"type":"static","static":{"max_chunk_size_tokens":50,"chunk_overlap_tokens":10}}"#,
                        "chunking_strategy.static.max_chunk_size_tokens"
                    ),
                    (#"{"type":"bogus"}"#, "chunking_strategy.type"),
                ]
                for (strategy, field) in invalid {
                    let replies = [
                        try await Self.addFile(gateway, file, to: store, #","chunking_strategy":\#(strategy)"#),
                        try await gateway.request("/v1/vector_stores", body: #"{"name":"x","file_ids":["\#(file)"],"chunking_strategy":\#(strategy)}"#),
                    ]
                    for reply in replies {
                        #expect(reply.status == 400, "\(strategy): \(reply.body)")
                        #expect(Self.param(reply) == field, "\(strategy): \(reply.body)")
                    }
                }
                let stores = try await gateway.request(.GET, "/v1/vector_stores")
                #expect((stores.json["data"] as? [[String: Any]])?.count == 1, "a refused store is not created: \(stores.body)")
            }
        }
    }

    @Test("search ranks by meaning and by words, alone or fused; limits, thresholds and attribute filters apply; bad searches are 400s")
    func searching() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let (store, files) = try await Self.knowledgeBase(gateway, [Self.refund, Self.shipping, Self.warranty, Self.mascot])
                let refund = try #require(files["refund.md"])
                let mascot = try #require(files["mascot.md"])

                let page = try await gateway.request("/v1/vector_stores/\(store)/search", body: Self.query("When is my refund paid?"))
                #expect(page.status == 200, "\(page.body)")
                #expect(page.json["object"] as? String == "vector_store.search_results.page", "\(page.body)")
                let hybrid = page.json["data"] as? [[String: Any]] ?? []
                #expect(hybrid.count == 4, "\(page.body)")
                for result in hybrid {
                    #expect(result["file_id"] is String && result["filename"] is String, "\(result)")
                    #expect((0.0...1.0).contains(result["score"] as? Double ?? -1), "\(result)")
                    let content = (result["content"] as? [[String: Any]])?.first
                    #expect(content?["type"] as? String == "text" && !(content?["text"] as? String ?? "").isEmpty, "\(result)")
                }
                #expect(Self.scores(hybrid) == Self.scores(hybrid).sorted(by: >), "best first: \(hybrid)")
                #expect(Self.fileIDs(hybrid).first == refund, "hybrid: \(hybrid)")
                #expect(hybrid.first?["filename"] as? String == "refund.md" && Self.text(of: hybrid.first ?? [:]) == Self.refund.text, "\(hybrid)")

                let byVector = try await Self.search(gateway, store, Self.query("When is my refund paid?", Self.vectorOnly))
                #expect(Self.fileIDs(byVector).first == refund, "vector: \(byVector)")
                #expect(Self.scores(byVector).allSatisfy { (0.0...1.0).contains($0) }, "\(byVector)")
                let byWords = try await Self.search(gateway, store, Self.query("When is my refund paid?", Self.wordsOnly))
                #expect(Self.fileIDs(byWords).first == refund, "words: \(byWords)")

                // A word the embedder does not know: found by words, not by meaning.
                let zebraWords = try await Self.search(gateway, store, Self.query("zebra", Self.wordsOnly))
                #expect(Self.fileIDs(zebraWords).first == mascot, "words: \(zebraWords)")
                let zebraVector = try await Self.search(gateway, store, Self.query("zebra", Self.vectorOnly))
                #expect(!zebraVector.isEmpty && Self.fileIDs(zebraVector).first != mascot, "vector: \(zebraVector)")
                let zebraHybrid = try await Self.search(gateway, store, Self.query("zebra", #","max_num_results":2"#))
                #expect(Self.fileIDs(zebraHybrid).contains(mascot), "hybrid: \(zebraHybrid)")

                let one = try await Self.search(gateway, store, Self.query("When is my refund paid?", #","max_num_results":1"#))
                #expect(one.count == 1, "\(one)")
                let strict = try await Self.search(gateway, store, Self.query("When is my refund paid?", #","ranking_options":{"score_threshold":0.99}"#))
                #expect(!strict.isEmpty && strict.count < hybrid.count, "\(strict)")
                #expect(Self.scores(strict).count == strict.count && Self.scores(strict).allSatisfy { $0 >= 0.99 }, "\(strict)")

                let billing = #"{"type":"eq","key":"team","value":"billing"}"#
                let logistics = #"{"type":"eq","key":"team","value":"logistics"}"#
                let filtered = try await Self.search(gateway, store, Self.query("parcels and refunds", #","filters":\#(billing)"#))
                #expect(!filtered.isEmpty && Set(Self.fileIDs(filtered)) == [refund], "\(filtered)")
                #expect((filtered.first?["attributes"] as? [String: Any])?["team"] as? String == "billing", "\(filtered)")
                let either = try await Self.search(
                    gateway, store, Self.query("parcels and refunds", #","filters":{"type":"or","filters":[\#(billing),\#(logistics)]}"#))
                let shipping = try #require(files["shipping.md"])
                #expect(Set(Self.fileIDs(either)) == [refund, shipping], "\(either)")

                let bad: [(String, String)] = [
                    ("{}", "query"),
                    (Self.query("   "), "query"),
                    (Self.query("refund", #","max_num_results":0"#), "max_num_results"),
                    (Self.query("refund", #","max_num_results":51"#), "max_num_results"),
                    (Self.query("refund", #","filters":{"type":"eq","value":"billing"}"#), "filters"),
                    (Self.query("refund", #","filters":{"type":"near","key":"team","value":"billing"}"#), "filters"),
                    (Self.query("refund", #","filters":{"type":"or","filters":[]}"#), "filters"),
                    (Self.query("refund", #","filters":"team=billing""#), "filters"),
                ]
                for (body, field) in bad {
                    let reply = try await gateway.request("/v1/vector_stores/\(store)/search", body: body)
                    #expect(reply.status == 400, "\(body): \(reply.body)")
                    #expect(Self.param(reply)?.hasPrefix(field) == true, "\(body): \(reply.body)")
                }
            }
        }
    }

    @Test("a file whose embeddings fail ends failed with the reason; the store counts it, and its other files are served")
    func ingestionFailure() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let good = try await Self.upload(gateway, Self.refund.filename, Self.refund.text)
                let bad = try await Self.upload(gateway, "poison.md", "# Poison\nThis poison pill is refused by the embedder.")
                let store = try await Self.createStore(gateway, #"{"name":"Mixed","file_ids":["\#(good)","\#(bad)"]}"#)
                let failed = try await Self.ingested(gateway, bad, in: store)
                #expect(failed["status"] as? String == "failed", "\(failed)")
                let reason = (failed["last_error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(reason.contains("cannot be embedded"), "\(failed)")
                #expect(try await Self.ingested(gateway, good, in: store)["status"] as? String == "completed")

                let retrieved = try await gateway.request(.GET, "/v1/vector_stores/\(store)")
                let counts = retrieved.json["file_counts"] as? [String: Any]
                #expect(counts?["failed"] as? Int == 1 && counts?["completed"] as? Int == 1 && counts?["total"] as? Int == 2, "\(retrieved.body)")
                let listed = try await gateway.request(.GET, "/v1/vector_stores/\(store)/files?filter=failed")
                #expect((listed.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [bad], "\(listed.body)")
                let poisoned = try await Self.search(gateway, store, Self.query("poison", Self.wordsOnly))
                #expect(poisoned.isEmpty, "a failed file has no chunks: \(poisoned)")
                let served = try await Self.search(gateway, store, Self.query("refund"))
                #expect(Self.fileIDs(served) == [good], "\(served)")
            }
        }
    }

    @Test("a file left in progress by a stop is ingested by the next start on the same database")
    func resumeAfterRestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-knowledge-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // The first gateway's embedder never answers in time.
        let silent = UpstreamDouble { request in request.model == "up-embedding" ? .silence(.seconds(60)) : Self.reply(to: request) }
        let (store, file) = try await silent.run { (base: String) async throws -> (String, String) in
            var configuration = try GatewayHarness.configuration(yaml: Self.yaml, upstream: base, storage: .sqliteFile(path: path))
            configuration.server.host = "127.0.0.1"
            return try await GatewayHarness.withGateway(configuration: configuration) { gateway in
                let fileID = try await Self.upload(gateway, Self.refund.filename, Self.refund.text)
                let storeID = try await Self.createStore(gateway, #"{"name":"Support","file_ids":["\#(fileID)"]}"#)
                let deadline = ContinuousClock.now + .seconds(20)
                while !silent.requests.contains(where: { $0.model == "up-embedding" }), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(silent.requests.contains { $0.model == "up-embedding" }, "the first gateway began the file")
                let pending = try await gateway.request(.GET, "/v1/vector_stores/\(storeID)/files/\(fileID)")
                #expect(pending.json["status"] as? String == "in_progress", "\(pending.body)")
                return (storeID, fileID)
            }
        }
        let upstream = Self.upstream()
        try await upstream.run { base in
            var configuration = try GatewayHarness.configuration(yaml: Self.yaml, upstream: base, storage: .sqliteFile(path: path))
            configuration.server.host = "127.0.0.1"
            try await GatewayHarness.withGateway(configuration: configuration) { gateway in
                let resumed = try await Self.ingested(gateway, file, in: store)
                #expect(resumed["status"] as? String == "completed", "\(resumed)")
                let results = try await Self.search(gateway, store, Self.query("How do refunds work?"))
                #expect(Self.fileIDs(results) == [file], "\(results)")
                #expect(Self.text(of: results.first ?? [:]) == Self.refund.text, "\(results)")
            }
        }
    }

    @Test("Responses file_search: searched by the gateway, given to the model as context, reported as file_search_call with file citations")
    func responsesFileSearch() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let (store, files) = try await Self.knowledgeBase(gateway)
                let refund = try #require(files["refund.md"])

                let reply = try await gateway.request("/v1/responses", body: Self.fileSearch([store]))
                #expect(reply.status == 200, "\(reply.body)")
                let sent = try Self.lastChatBody(upstream)
                #expect(sent["tools"] == nil, "the upstream never sees the tool: \(sent)")
                let sentText = try #require(upstream.requests.last(where: { $0.model == "up-model" })).text
                #expect(!sentText.contains("file_search"), "\(sentText)")
                let messages = sent["messages"] as? [[String: Any]] ?? []
                let context = messages.first { message in
                    message["role"] as? String == "system" && (message["content"] as? String ?? "").contains(Self.refund.text)
                }
                let contextText = context?["content"] as? String ?? ""
                #expect(contextText.contains("refund.md"), "the chunk goes under its file's name: \(messages)")
                #expect(messages.last?["role"] as? String == "user", "\(messages) \(sentText)")

                let output = reply.json["output"] as? [[String: Any]] ?? []
                #expect(output.count == 2, "\(reply.body)")
                let call = output.first ?? [:]
                #expect(call["type"] as? String == "file_search_call" && call["status"] as? String == "completed", "\(reply.body)")
                #expect(call["queries"] as? [String] == ["How do refunds work?"], "\(reply.body)")
                #expect(call["results"] is NSNull, "results only when included: \(reply.body)")
                let message = output.count > 1 ? output[1] : [:]
                #expect(message["type"] as? String == "message", "\(reply.body)")
                let part = (message["content"] as? [[String: Any]])?.first ?? [:]
                let text = part["text"] as? String ?? ""
                #expect(part["type"] as? String == "output_text" && text == "Answer.", "\(reply.body)")
                let citation = (part["annotations"] as? [[String: Any]] ?? []).first { $0["file_id"] as? String == refund }
                #expect(citation?["type"] as? String == "file_citation", "\(reply.body)")
                #expect(citation?["filename"] as? String == "refund.md" && citation?["index"] as? Int == text.count, "\(reply.body)")

                let included = try await gateway.request("/v1/responses", body: Self.fileSearch([store], includeResults: true))
                let results = ((included.json["output"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
                #expect(!results.isEmpty, "\(included.body)")
                #expect(results.first?["file_id"] as? String == refund && results.first?["filename"] as? String == "refund.md", "\(included.body)")
                #expect(results.first?["text"] as? String == Self.refund.text, "\(included.body)")
                #expect(results.allSatisfy { (0.0...1.0).contains($0["score"] as? Double ?? -1) }, "\(included.body)")

                let (status, _, streamed) = try await gateway.stream("/v1/responses", body: Self.fileSearch([store], stream: true))
                #expect(status == 200, "\(streamed)")
                let events = Self.events(streamed)
                let types = events.compactMap { $0["type"] as? String }
                let opened = events.first { $0["type"] as? String == "response.output_item.added" && $0["output_index"] as? Int == 0 }
                #expect((opened?["item"] as? [String: Any])?["type"] as? String == "file_search_call", "\(streamed)")
                let phases = ["in_progress", "searching", "completed"].compactMap { types.firstIndex(of: "response.file_search_call.\($0)") }
                #expect(phases.count == 3 && phases == phases.sorted(), "\(types)")
                let answer = events.first { $0["type"] as? String == "response.output_item.added" && $0["output_index"] as? Int == 1 }
                #expect((answer?["item"] as? [String: Any])?["type"] as? String == "message", "\(streamed)")
                let annotated = events.first { $0["type"] as? String == "response.output_text.annotation.added" }
                let annotation = annotated?["annotation"] as? [String: Any]
                #expect(annotation?["type"] as? String == "file_citation" && annotated?["output_index"] as? Int == 1, "\(streamed)")
                let cited = events.filter { $0["type"] as? String == "response.output_text.annotation.added" }
                #expect(cited.contains { ($0["annotation"] as? [String: Any])?["file_id"] as? String == refund }, "\(streamed)")
                let completed = events.last(where: { $0["type"] as? String == "response.completed" })
                let finished = ((completed?["response"] as? [String: Any])?["output"] as? [[String: Any]]) ?? []
                #expect(finished.compactMap { $0["type"] as? String } == ["file_search_call", "message"], "\(streamed)")
                #expect(try Self.lastChatBody(upstream)["tools"] == nil)
            }
        }
    }

    @Test("chat with x-switchyard-knowledge: the chunks found go just before the newest user message, and the answer says how many")
    func chatHeader() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let (store, _) = try await Self.knowledgeBase(gateway)
                let body = #"{"model":"chat","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},"#
                    + #"{"role":"user","content":"How do refunds work?"}]}"#
                let reply = try await gateway.request("/v1/chat/completions", body: body, headers: [("x-switchyard-knowledge", store)])
                #expect(reply.status == 200, "\(reply.body)")
                #expect((Self.found(reply.headers.first(name: "x-switchyard-knowledge")) ?? 0) >= 1, "\(reply.headers)")
                let messages = try Self.lastChatBody(upstream)["messages"] as? [[String: Any]] ?? []
                #expect(messages.compactMap { $0["role"] as? String } == ["user", "assistant", "system", "user"], "\(messages)")
                let context = messages.count == 4 ? messages[2]["content"] as? String ?? "" : ""
                #expect(context.contains(Self.refund.text) && context.contains("refund.md"), "\(messages)")
                #expect(messages.last?["content"] as? String == "How do refunds work?", "\(messages)")

                let before = Self.chatRequests(upstream)
                let (status, headers, text) = try await gateway.stream(
                    body: Self.chat("How do refunds work?", stream: true), headers: [("x-switchyard-knowledge", store)])
                #expect(status == 200, "\(text)")
                #expect((Self.found(headers.first(name: "x-switchyard-knowledge")) ?? 0) >= 1, "\(headers)")
                #expect(text.contains("[DONE]"), "\(text)")
                #expect(Self.chatRequests(upstream) == before + 1)
                let streamed = try Self.lastChatBody(upstream)["messages"] as? [[String: Any]] ?? []
                #expect(streamed.compactMap { $0["role"] as? String } == ["system", "system", "user"], "\(streamed)")
                #expect((streamed.count == 3 ? streamed[1]["content"] as? String ?? "" : "").contains(Self.refund.text), "\(streamed)")
            }
        }
    }

    @Test("an unknown vector store is a 404 in the header, in file_search and in search, and nothing reaches the model")
    func unknownStores() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let (store, _) = try await Self.knowledgeBase(gateway, [Self.refund])
                let missing = "vs_0123456789abcdef0123456789abcdef0123456789abcdef"
                let header = "x-switchyard-knowledge"
                let before = Self.chatRequests(upstream)
                let replies: [(String, GatewayClient.Reply)] = [
                    ("header", try await gateway.request("/v1/chat/completions", body: Self.chat("Refunds?"), headers: [(header, missing)])),
                    (
                        "header with a known store",
                        try await gateway.request("/v1/chat/completions", body: Self.chat("Refunds?"), headers: [(header, "\(store),\(missing)")])
                    ),
                    ("file_search", try await gateway.request("/v1/responses", body: Self.fileSearch([missing]))),
                    ("file_search with a known store", try await gateway.request("/v1/responses", body: Self.fileSearch([store, missing]))),
                    ("search", try await gateway.request("/v1/vector_stores/\(missing)/search", body: Self.query("refund"))),
                ]
                for (what, reply) in replies {
                    #expect(reply.status == 404 && reply.errorCode == "vector_store_not_found", "\(what): \(reply.status) \(reply.body)")
                }
                let chatStream = try await gateway.stream(body: Self.chat("Refunds?", stream: true), headers: [(header, missing)])
                #expect(chatStream.status == 404 && chatStream.text.contains("vector_store_not_found"), "\(chatStream.text)")
                let responsesStream = try await gateway.stream("/v1/responses", body: Self.fileSearch([missing], stream: true))
                #expect(responsesStream.status == 404 && responsesStream.text.contains("vector_store_not_found"), "\(responsesStream.text)")
                #expect(Self.chatRequests(upstream) == before, "nothing reached the model")
            }
        }
    }

    @Test("a request that will be refused is not searched: its query's embedding is never paid for")
    func searchedOnlyWhenValid() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let (store, _) = try await Self.knowledgeBase(gateway, [Self.refund])
                let embeddings = { upstream.requests.filter { $0.model == "up-embedding" }.count }
                let before = embeddings()
                let unknownModel = try await gateway.request(
                    "/v1/chat/completions", body: #"{"model":"nope","messages":[{"role":"user","content":"Refunds?"}]}"#,
                    headers: [("x-switchyard-knowledge", store)])
                #expect(unknownModel.status == 404 && unknownModel.errorCode == "model_not_found", "\(unknownModel.body)")
                let badChoice = try await gateway.request(
                    "/v1/responses",
                    body: #"{"model":"chat","input":"Refunds?","tools":[{"type":"file_search","vector_store_ids":["\#(store)"]}],"tool_choice":"sometimes"}"#)
                #expect(badChoice.status == 400, "\(badChoice.body)")
                let badFilter = try await gateway.request(
                    "/v1/responses",
                    body: #"{"model":"chat","input":"Refunds?","tools":[{"type":"file_search","vector_store_ids":["\#(store)"],"filters":{"type":"like"}}]}"#)
                #expect(badFilter.status == 400 && Self.param(badFilter) == "tools[0].filters.type", "\(badFilter.body)")
                let counted = try await gateway.request("/v1/responses/input_tokens", body: Self.fileSearch([store]))
                #expect(counted.status == 200, "\(counted.body)")
                let unknownResponsesModel = try await gateway.request(
                    "/v1/responses", body: #"{"model":"nope","input":"Refunds?","tools":[{"type":"file_search","vector_store_ids":["\#(store)"]}]}"#)
                #expect(unknownResponsesModel.status == 404 && unknownResponsesModel.errorCode == "model_not_found", "\(unknownResponsesModel.body)")
                // tool_choice none rules the tool out: no search, no search item, and the upstream still never sees the tool.
                let ruledOut = try await gateway.request(
                    "/v1/responses",
                    body: #"{"model":"chat","input":"Refunds?","tools":[{"type":"file_search","vector_store_ids":["\#(store)"]}],"tool_choice":"none"}"#)
                #expect(ruledOut.status == 200, "\(ruledOut.body)")
                #expect((ruledOut.json["output"] as? [[String: Any]])?.map { $0["type"] as? String } == ["message"], "\(ruledOut.body)")
                #expect(try Self.lastChatBody(upstream)["tools"] == nil)
                #expect(embeddings() == before, "no query was embedded")
            }
        }
    }

    @Test("the knowledge query is screened by the model's input guardrails before it is embedded")
    func screenedQuery() async throws {
        let upstream = Self.upstream()
        let yaml = Self.yaml.replacingOccurrences(of: "  - name: chat\n", with: "  - name: chat\n    guardrails: [pii]\n")
            + "\nguardrails:\n  - {name: pii, type: pii, action: redact}\n"
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let (store, _) = try await Self.knowledgeBase(gateway, [Self.refund])
                let header = [("x-switchyard-knowledge", store)]
                let reply = try await gateway.request("/v1/chat/completions", body: Self.chat("refund for ann@example.com"), headers: header)
                #expect(reply.status == 200, "\(reply.body)")
                let query = try #require(upstream.requests.last(where: { $0.model == "up-embedding" })).text
                #expect(query.contains("[EMAIL_1]") && !query.contains("ann@example.com"), "\(query)")
                let responses = try await gateway.request(
                    "/v1/responses", body: #"{"model":"chat","input":"refund for bob@example.com","tools":[{"type":"file_search","vector_store_ids":["\#(store)"]}]}"#)
                #expect(responses.status == 200, "\(responses.body)")
                let second = try #require(upstream.requests.last(where: { $0.model == "up-embedding" })).text
                #expect(!second.contains("bob@example.com"), "\(second)")
            }
        }
    }

    @Test("without an embedding model, files are searched by their words; a search by vector alone is a 400")
    func wordsOnly() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let (store, files) = try await Self.knowledgeBase(gateway)
                #expect(upstream.requests.filter { $0.model == "up-embedding" }.isEmpty, "nothing was embedded")
                let found = try await Self.search(gateway, store, Self.query("refund card"))
                #expect(Self.fileIDs(found).first == files[Self.refund.filename], "\(found)")
                let vector = try await gateway.request("/v1/vector_stores/\(store)/search", body: Self.query("refund", Self.vectorOnly))
                #expect(vector.status == 400 && Self.param(vector) == "ranking_options.hybrid_search.text_weight", "\(vector.body)")
            }
        }
    }

    @Test("vector stores are the tenant's: another team gets 404 on every path and sees none; the master key reads and deletes them")
    func tenants() async throws {
        let upstream = Self.upstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: Self.yaml, upstream: base) { gateway in
                let red = try #require(try await gateway.request("/admin/teams", body: #"{"name":"red"}"#).json["id"] as? String)
                let blue = try #require(try await gateway.request("/admin/teams", body: #"{"name":"blue"}"#).json["id"] as? String)
                let redKey = try await gateway.createKey(#"{"name":"red-1","team":"\#(red)"}"#).secret
                let blueKey = try await gateway.createKey(#"{"name":"blue-1","team":"\#(blue)"}"#).secret
                let (store, files) = try await Self.knowledgeBase(gateway, [Self.refund], key: redKey)
                let file = try #require(files["refund.md"])
                let own = try await gateway.request(
                    "/v1/chat/completions", body: Self.chat("How do refunds work?"), key: redKey, headers: [("x-switchyard-knowledge", store)])
                #expect(own.status == 200 && Self.found(own.headers.first(name: "x-switchyard-knowledge")) == 1, "\(own.body)")

                let before = Self.chatRequests(upstream)
                let foreign: [(HTTPMethod, String, String?)] = [
                    (.GET, "/v1/vector_stores/\(store)", nil),
                    (.POST, "/v1/vector_stores/\(store)", #"{"name":"taken"}"#),
                    (.GET, "/v1/vector_stores/\(store)/files", nil),
                    (.POST, "/v1/vector_stores/\(store)/files", #"{"file_id":"\#(file)"}"#),
                    (.GET, "/v1/vector_stores/\(store)/files/\(file)", nil),
                    (.POST, "/v1/vector_stores/\(store)/files/\(file)", #"{"attributes":{"team":"blue"}}"#),
                    (.DELETE, "/v1/vector_stores/\(store)/files/\(file)", nil),
                    (.POST, "/v1/vector_stores/\(store)/search", Self.query("refund")),
                    (.DELETE, "/v1/vector_stores/\(store)", nil),
                    (.POST, "/v1/responses", Self.fileSearch([store])),
                ]
                for (method, path, body) in foreign {
                    let reply = try await gateway.request(method, path, body: body, key: blueKey)
                    #expect(reply.status == 404 && reply.errorCode == "vector_store_not_found", "\(method) \(path): \(reply.status) \(reply.body)")
                }
                let header = try await gateway.request(
                    "/v1/chat/completions", body: Self.chat("How do refunds work?"), key: blueKey, headers: [("x-switchyard-knowledge", store)])
                #expect(header.status == 404 && header.errorCode == "vector_store_not_found", "\(header.body)")
                #expect(Self.chatRequests(upstream) == before, "nothing reached the model")

                let blueStore = try await Self.createStore(gateway, #"{"name":"Blue"}"#, key: blueKey)
                let borrowed = try await Self.addFile(gateway, file, to: blueStore, key: blueKey)
                #expect(borrowed.status == 404 && borrowed.errorCode == "file_not_found", "\(borrowed.body)")
                let created = try await gateway.request("/v1/vector_stores", body: #"{"name":"Blue 2","file_ids":["\#(file)"]}"#, key: blueKey)
                #expect(created.status == 404 && created.errorCode == "file_not_found", "\(created.body)")
                let blueList = try await gateway.request(.GET, "/v1/vector_stores", key: blueKey)
                #expect((blueList.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [blueStore], "\(blueList.body)")

                let kept = try await gateway.request(.GET, "/v1/vector_stores/\(store)", key: redKey)
                #expect(kept.json["name"] as? String == "Support", "\(kept.body)")
                #expect((kept.json["file_counts"] as? [String: Any])?["completed"] as? Int == 1, "another team's attempts changed nothing: \(kept.body)")
                let attributes = try await gateway.request(.GET, "/v1/vector_stores/\(store)/files/\(file)", key: redKey).json["attributes"]
                #expect((attributes as? [String: Any])?["team"] as? String == "billing")

                #expect(try await gateway.request(.GET, "/v1/vector_stores/\(store)").status == 200, "the master key reads any tenant's")
                let all = try await gateway.request(.GET, "/v1/vector_stores")
                #expect((all.json["data"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == store }, "\(all.body)")
                #expect(try await gateway.request(.DELETE, "/v1/vector_stores/\(store)").json["deleted"] as? Bool == true)
                #expect(try await gateway.request(.GET, "/v1/vector_stores/\(store)", key: redKey).status == 404)
            }
        }
    }
}
