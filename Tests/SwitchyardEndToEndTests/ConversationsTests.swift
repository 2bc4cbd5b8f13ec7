import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardTesting
import Testing

@Suite("Conversations")
struct ConversationsTests {
    /// The header that puts a chat completion in a conversation.
    static let header = "x-switchyard-conversation"

    /// Creates a conversation with `body`; its id.
    static func create(_ gateway: GatewayClient, _ body: String = "{}", key: String = GatewayHarness.masterKey) async throws -> String {
        let created = try await gateway.request("/v1/conversations", body: body, key: key)
        #expect(created.status == 200, "\(created.body)")
        return try #require(created.json["id"] as? String, "\(created.body)")
    }

    /// Every item of conversation `id`, oldest first.
    static func items(_ gateway: GatewayClient, _ id: String, key: String = GatewayHarness.masterKey) async throws -> [[String: Any]] {
        let listed = try await gateway.request(.GET, "/v1/conversations/\(id)/items?order=asc&limit=100", key: key)
        #expect(listed.status == 200, "\(listed.body)")
        return try #require(listed.json["data"] as? [[String: Any]], "\(listed.body)")
    }

    /// A page of conversation `id`'s items (`query` with its `?`): their texts, whether there are more, and the last id.
    static func page(_ gateway: GatewayClient, _ id: String, _ query: String) async throws -> (texts: [String], hasMore: Bool, lastID: String?) {
        let reply = try await gateway.request(.GET, "/v1/conversations/\(id)/items\(query)")
        #expect(reply.status == 200, "\(query): \(reply.body)")
        #expect(reply.json["object"] as? String == "list")
        let data = try #require(reply.json["data"] as? [[String: Any]], "\(reply.body)")
        #expect(reply.json["first_id"] as? String == data.first?["id"] as? String)
        #expect(reply.json["last_id"] as? String == data.last?["id"] as? String)
        let hasMore = try #require(reply.json["has_more"] as? Bool, "\(reply.body)")
        return (data.compactMap(Self.text), hasMore, reply.json["last_id"] as? String)
    }

    /// The text of an item's first content part (a message's), or its `output` (a function call output's).
    static func text(_ item: [String: Any]) -> String? {
        (item["content"] as? [[String: Any]])?.first?["text"] as? String ?? item["output"] as? String
    }

    /// The type of an item's first content part.
    static func partType(_ item: [String: Any]) -> String? {
        (item["content"] as? [[String: Any]])?.first?["type"] as? String
    }

    /// The assistant's text in a chat completion.
    static func answer(_ reply: GatewayClient.Reply) -> String? {
        ((reply.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
    }

    /// A chat request with one user message.
    static func chat(_ content: String, stream: Bool = false) -> String {
        #"{"model":"chat","messages":[{"role":"user","content":"\#(content)"}],"stream":\#(stream)}"#
    }

    /// Whether `pieces` occur in `text` one after another.
    static func inOrder(_ text: String, _ pieces: [String]) -> Bool {
        var rest = text[...]
        for piece in pieces {
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    static let history = #"{"items":[{"type":"message","role":"user","content":"Hello"},{"type":"message","role":"assistant","content":"Hi earlier"}]}"#

    // MARK: The Conversations API

    @Test("create with items and metadata, retrieve, update, read and delete an item, delete: then 404 everywhere")
    func lifecycle() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let before = Int(Date().timeIntervalSince1970)
            let created = try await gateway.request(
                "/v1/conversations",
                body: #"{"items":[{"type":"message","role":"user","content":"Hello"},{"type":"message","role":"assistant","content":"Hi, how can I help?"},"#
                    + #"{"type":"message","role":"user","id":"msg_mine","content":[{"type":"input_text","text":"Kept as sent"}]}],"#
                    + #""metadata":{"topic":"demo","owner":"ada"}}"#)
            #expect(created.status == 200, "\(created.body)")
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("conv_"))
            #expect(created.json["object"] as? String == "conversation")
            let createdAt = try #require(created.json["created_at"] as? Int)
            #expect(createdAt >= before - 1 && createdAt <= Int(Date().timeIntervalSince1970) + 1)
            #expect((created.json["metadata"] as? [String: String]) == ["topic": "demo", "owner": "ada"])

            let items = try await Self.items(gateway, id)
            try #require(items.count == 3)
            let firstID = try #require(items[0]["id"] as? String)
            #expect(firstID.hasPrefix("msg_"), "an item without an id gets one")
            #expect(items[0]["type"] as? String == "message" && items[0]["role"] as? String == "user")
            let firstParts = try #require(items[0]["content"] as? [[String: Any]])
            #expect(firstParts.count == 1)
            #expect(firstParts.first?["type"] as? String == "input_text" && firstParts.first?["text"] as? String == "Hello", "string content normalised")
            #expect(items[1]["role"] as? String == "assistant" && Self.partType(items[1]) == "output_text")
            #expect(Self.text(items[1]) == "Hi, how can I help?")
            #expect(items[2]["id"] as? String == "msg_mine" && Self.text(items[2]) == "Kept as sent")

            let retrieved = try await gateway.request(.GET, "/v1/conversations/\(id)")
            #expect(retrieved.status == 200)
            #expect(retrieved.json["id"] as? String == id && retrieved.json["object"] as? String == "conversation")
            #expect(retrieved.json["created_at"] as? Int == createdAt)
            #expect((retrieved.json["metadata"] as? [String: String]) == ["topic": "demo", "owner": "ada"])

            let updated = try await gateway.request("/v1/conversations/\(id)", body: #"{"metadata":{"topic":"changed"}}"#)
            #expect(updated.status == 200, "\(updated.body)")
            #expect(updated.json["id"] as? String == id)
            #expect((updated.json["metadata"] as? [String: String]) == ["topic": "changed"], "replaced, not merged")
            let reread = try await gateway.request(.GET, "/v1/conversations/\(id)")
            #expect((reread.json["metadata"] as? [String: String]) == ["topic": "changed"])

            let assistantID = try #require(items[1]["id"] as? String)
            let item = try await gateway.request(.GET, "/v1/conversations/\(id)/items/\(assistantID)")
            #expect(item.status == 200, "\(item.body)")
            #expect(item.json["id"] as? String == assistantID && item.json["role"] as? String == "assistant")
            let missing = try await gateway.request(.GET, "/v1/conversations/\(id)/items/msg_nope")
            #expect(missing.status == 404 && missing.errorCode == "item_not_found")
            let afterItemDelete = try await gateway.request(.DELETE, "/v1/conversations/\(id)/items/\(assistantID)")
            #expect(afterItemDelete.status == 200, "\(afterItemDelete.body)")
            #expect(afterItemDelete.json["object"] as? String == "conversation" && afterItemDelete.json["id"] as? String == id)
            let remaining = try await Self.items(gateway, id)
            #expect(remaining.compactMap { $0["id"] as? String } == [firstID, "msg_mine"])
            let deletedItem = try await gateway.request(.GET, "/v1/conversations/\(id)/items/\(assistantID)")
            #expect(deletedItem.status == 404 && deletedItem.errorCode == "item_not_found")
            #expect(try await gateway.request(.DELETE, "/v1/conversations/\(id)/items/\(assistantID)").status == 404)

            let deleted = try await gateway.request(.DELETE, "/v1/conversations/\(id)")
            #expect(deleted.status == 200, "\(deleted.body)")
            #expect(deleted.json["id"] as? String == id && deleted.json["object"] as? String == "conversation.deleted")
            #expect(deleted.json["deleted"] as? Bool == true)
            let gone = try await gateway.request(.GET, "/v1/conversations/\(id)")
            #expect(gone.status == 404 && gone.errorCode == "conversation_not_found")
            #expect(try await gateway.request(.GET, "/v1/conversations/\(id)/items").status == 404)
            #expect(try await gateway.request(.GET, "/v1/conversations/\(id)/items/msg_mine").status == 404)
            #expect(try await gateway.request("/v1/conversations/\(id)", body: #"{"metadata":{}}"#).status == 404)
            #expect(try await gateway.request(.DELETE, "/v1/conversations/\(id)").status == 404)

            // An empty conversation: no items, no metadata.
            let empty = try await gateway.request("/v1/conversations", body: "{}")
            #expect(empty.status == 200, "\(empty.body)")
            #expect((empty.json["metadata"] as? [String: String]) == [:])
            let emptyID = try #require(empty.json["id"] as? String)
            #expect(emptyID != id)
            #expect(try await Self.items(gateway, emptyID).isEmpty)
        }
    }

    @Test("items page in order: limit, after and has_more, ascending or (by default) newest first, 20 at a time")
    func paging() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let id = try await Self.create(gateway)
            let words = ["one", "two", "three", "four", "five"]
            let list = words.map { #"{"type":"message","role":"user","content":"\#($0)"}"# }.joined(separator: ",")
            let added = try await gateway.request("/v1/conversations/\(id)/items", body: #"{"items":[\#(list)]}"#)
            #expect(added.status == 200, "\(added.body)")
            #expect(added.json["object"] as? String == "list")
            let data = try #require(added.json["data"] as? [[String: Any]])
            #expect(data.compactMap(Self.text) == words, "the added items, in order")
            let ids = data.compactMap { $0["id"] as? String }
            #expect(ids.count == 5 && Set(ids).count == 5)
            #expect(added.json["first_id"] as? String == ids.first && added.json["last_id"] as? String == ids.last)
            #expect(added.json["has_more"] as? Bool == false)

            let firstPage = try await Self.page(gateway, id, "?limit=2&order=asc")
            #expect(firstPage.texts == ["one", "two"] && firstPage.hasMore)
            let afterTwo = try #require(firstPage.lastID)
            let secondPage = try await Self.page(gateway, id, "?limit=2&order=asc&after=\(afterTwo)")
            #expect(secondPage.texts == ["three", "four"] && secondPage.hasMore)
            let afterFour = try #require(secondPage.lastID)
            let lastPage = try await Self.page(gateway, id, "?limit=2&order=asc&after=\(afterFour)")
            #expect(lastPage.texts == ["five"] && !lastPage.hasMore)
            let exact = try await Self.page(gateway, id, "?limit=5&order=asc")
            #expect(exact.texts == words && !exact.hasMore, "exactly `limit` left: no more")

            let newest = try await Self.page(gateway, id, "")
            #expect(newest.texts == ["five", "four", "three", "two", "one"] && !newest.hasMore, "newest first by default")
            let descending = try await Self.page(gateway, id, "?limit=2")
            #expect(descending.texts == ["five", "four"] && descending.hasMore)
            let olderThanFour = try #require(descending.lastID)
            let older = try await Self.page(gateway, id, "?limit=2&order=desc&after=\(olderThanFour)")
            #expect(older.texts == ["three", "two"] && older.hasMore)

            // 16 more make 21: the default page holds 20.
            let more = (6...21).map { #"{"type":"message","role":"user","content":"w\#($0)"}"# }.joined(separator: ",")
            let addedMore = try await gateway.request("/v1/conversations/\(id)/items", body: #"{"items":[\#(more)]}"#)
            #expect(addedMore.status == 200, "\(addedMore.body)")
            let defaultPage = try await Self.page(gateway, id, "")
            #expect(defaultPage.texts.count == 20 && defaultPage.hasMore)
            #expect(defaultPage.texts.first == "w21" && defaultPage.texts.last == "two")
            let everything = try await Self.items(gateway, id).compactMap(Self.text)
            #expect(everything.count == 21)
            #expect(Array(everything.prefix(6)) == ["one", "two", "three", "four", "five", "w6"])
        }
    }

    @Test("bad input is a 400 and changes nothing; the server answers normally afterwards")
    func badInput() async throws {
        try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel) { gateway in
            let item = #"{"type":"message","role":"user","content":"x"}"#
            func itemList(_ count: Int) -> String { Array(repeating: item, count: count).joined(separator: ",") }
            func pairs(_ count: Int) -> String { (0..<count).map { #""k\#($0)":"v""# }.joined(separator: ",") }

            let tooMany = try await gateway.request("/v1/conversations", body: #"{"items":[\#(itemList(21))]}"#)
            #expect(tooMany.status == 400, "\(tooMany.body)")
            #expect(tooMany.errorMessage.contains("20"), "\(tooMany.errorMessage)")
            let most = try await gateway.request("/v1/conversations", body: #"{"items":[\#(itemList(20))]}"#)
            #expect(most.status == 200, "20 items is the most, and allowed: \(most.body)")
            let id = try #require(most.json["id"] as? String)

            #expect(try await gateway.request("/v1/conversations", body: #"{"metadata":{\#(pairs(17))}}"#).status == 400)
            #expect(try await gateway.request("/v1/conversations", body: #"{"metadata":{\#(pairs(16))}}"#).status == 200)
            #expect(try await gateway.request("/v1/conversations", body: #"{"metadata":{"n":1}}"#).status == 400)
            #expect(try await gateway.request("/v1/conversations", body: #"{"metadata":"tags"}"#).status == 400)
            #expect(try await gateway.request("/v1/conversations", body: #"{"items":[{"type":"message","role":"robot","content":"x"}]}"#).status == 400)
            #expect(try await gateway.request("/v1/conversations/\(id)", body: #"{"metadata":{"n":1}}"#).status == 400)
            #expect(try await gateway.request("/v1/conversations/\(id)", body: #"{"metadata":{\#(pairs(17))}}"#).status == 400)
            #expect(try await gateway.request("/v1/conversations/\(id)/items", body: #"{"items":[\#(itemList(21))]}"#).status == 400)
            #expect(try await gateway.request("/v1/conversations/\(id)/items", body: #"{"items":[]}"#).status == 400)
            for body in ["[1,2]", "not json", #""a string""#, "{"] {
                #expect(try await gateway.request("/v1/conversations", body: body).status == 400, "create: \(body)")
                #expect(try await gateway.request("/v1/conversations/\(id)", body: body).status == 400, "update: \(body)")
                #expect(try await gateway.request("/v1/conversations/\(id)/items", body: body).status == 400, "add items: \(body)")
            }
            for query in ["limit=0", "limit=101", "limit=ten", "order=sideways", "after=msg_nope"] {
                let reply = try await gateway.request(.GET, "/v1/conversations/\(id)/items?\(query)")
                #expect(reply.status == 400, "\(query): \(reply.body)")
            }
            #expect(try await gateway.request(.GET, "/v1/conversations/\(id)/items?limit=100").status == 200)
            #expect(try await gateway.request(.GET, "/v1/conversations/\(id)/items?limit=1&order=asc").status == 200)

            // The refusals changed nothing, and the server still answers.
            #expect(try await Self.items(gateway, id).count == 20)
            let conversation = try await gateway.request(.GET, "/v1/conversations/\(id)")
            #expect(conversation.status == 200)
            #expect((conversation.json["metadata"] as? [String: String]) == [:])
            #expect(try await gateway.request("/v1/conversations", body: "{}").status == 200)
        }
    }

    @Test("a conversation belongs to its team (or its teamless key): any other tenant gets 404 on every path; the master key sees all")
    func tenantBoundary() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let red = try #require(try await gateway.request("/admin/teams", body: #"{"name":"red"}"#).json["id"] as? String)
                let blue = try #require(try await gateway.request("/admin/teams", body: #"{"name":"blue"}"#).json["id"] as? String)
                let redKey = try await gateway.createKey(#"{"name":"red-1","team":"\#(red)"}"#).secret
                let redMate = try await gateway.createKey(#"{"name":"red-2","team":"\#(red)"}"#).secret
                let blueKey = try await gateway.createKey(#"{"name":"blue-1","team":"\#(blue)"}"#).secret
                let solo = try await gateway.createKey(#"{"name":"solo"}"#).secret
                let otherSolo = try await gateway.createKey(#"{"name":"other-solo"}"#).secret

                let id = try await Self.create(
                    gateway, #"{"items":[{"type":"message","role":"user","content":"secret plans"}],"metadata":{"owner":"red"}}"#, key: redKey)
                let itemID = try #require(try await Self.items(gateway, id, key: redKey).first?["id"] as? String)
                let path = "/v1/conversations/\(id)"
                #expect(try await gateway.request(.GET, path, key: redMate).status == 200, "a teammate sees it")
                #expect(try await gateway.request(.GET, path + "/items/\(itemID)", key: redMate).status == 200)

                let attempts: [(HTTPMethod, String, String?)] = [
                    (.GET, path, nil),
                    (.POST, path, #"{"metadata":{"owner":"blue"}}"#),
                    (.DELETE, path, nil),
                    (.GET, path + "/items", nil),
                    (.POST, path + "/items", #"{"items":[{"type":"message","role":"user","content":"injected"}]}"#),
                    (.GET, path + "/items/\(itemID)", nil),
                    (.DELETE, path + "/items/\(itemID)", nil),
                ]
                for (method, target, body) in attempts {
                    let reply = try await gateway.request(method, target, body: body, key: blueKey)
                    #expect(reply.status == 404, "\(method) \(target): \(reply.status) \(reply.body)")
                    #expect(reply.errorCode == "conversation_not_found", "\(method) \(target)")
                }
                let calls = upstream.requests.count
                let chat = try await gateway.request("/v1/chat/completions", body: Self.chat("go on"), key: blueKey, headers: [(Self.header, id)])
                #expect(chat.status == 404 && chat.errorCode == "conversation_not_found", "\(chat.body)")
                let streamed = try await gateway.stream(body: Self.chat("go on", stream: true), key: blueKey, headers: [(Self.header, id)])
                #expect(streamed.status == 404, "\(streamed.text)")
                let responses = try await gateway.request(
                    "/v1/responses", body: #"{"model":"chat","input":"go on","conversation":"\#(id)"}"#, key: blueKey)
                #expect(responses.status == 404 && responses.errorCode == "conversation_not_found", "\(responses.body)")
                #expect(upstream.requests.count == calls, "a foreign conversation never reaches the upstream")

                // Nothing was changed by the other team.
                let intact = try await gateway.request(.GET, path, key: redKey)
                #expect(intact.status == 200)
                #expect((intact.json["metadata"] as? [String: String]) == ["owner": "red"])
                #expect(try await Self.items(gateway, id, key: redKey).compactMap(Self.text) == ["secret plans"])

                // Without a team, a conversation is the key's own.
                let own = try await Self.create(gateway, "{}", key: solo)
                #expect(try await gateway.request(.GET, "/v1/conversations/\(own)", key: solo).status == 200)
                let stranger = try await gateway.request(.GET, "/v1/conversations/\(own)", key: otherSolo)
                #expect(stranger.status == 404 && stranger.errorCode == "conversation_not_found", "another teamless key is another tenant")
                #expect(try await gateway.request(.GET, "/v1/conversations/\(own)/items", key: otherSolo).status == 404)
                #expect(try await gateway.request(.GET, "/v1/conversations/\(own)", key: redKey).status == 404)
                #expect(try await gateway.request(.GET, path, key: solo).status == 404)

                // The master key is the operator's: it reads and deletes any tenant's.
                #expect(try await gateway.request(.GET, path).status == 200)
                #expect(try await Self.items(gateway, id).count == 1)
                #expect(try await gateway.request(.GET, "/v1/conversations/\(own)").status == 200)
                #expect(try await gateway.request(.DELETE, path).status == 200)
                #expect(try await gateway.request(.GET, path, key: redKey).status == 404)
                #expect(try await gateway.request(.DELETE, "/v1/conversations/\(own)").status == 200)
                #expect(try await gateway.request(.GET, "/v1/conversations/\(own)", key: solo).status == 404)
            }
        }
    }

    // MARK: Chat completions in a conversation

    @Test("chat with the conversation header: the stored history goes before the new messages, and the turn is appended")
    func chatHistory() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway)
                let first = try await gateway.request("/v1/chat/completions", body: Self.chat("first?"), headers: [(Self.header, id)])
                #expect(first.status == 200, "\(first.body)")
                #expect(Self.answer(first) == "Hi!")
                let firstSent = try #require(upstream.requests.last).text
                #expect(firstSent.contains(#""messages":[{"content":"first?","role":"user"}]"#), "\(firstSent)")

                let second = try await gateway.request("/v1/chat/completions", body: Self.chat("second?"), headers: [(Self.header, id)])
                #expect(second.status == 200, "\(second.body)")
                let sent = try #require(upstream.requests.last).text
                #expect(
                    sent.contains(#""messages":[{"content":"first?","role":"user"},{"content":"Hi!","role":"assistant"},{"content":"second?","role":"user"}]"#),
                    "\(sent)")
                #expect(upstream.requests.last?.model == "up-model")

                let items = try await Self.items(gateway, id)
                #expect(items.map { $0["role"] as? String } == ["user", "assistant", "user", "assistant"])
                #expect(items.compactMap(Self.text) == ["first?", "Hi!", "second?", "Hi!"])
                #expect(items.map { Self.partType($0) } == ["input_text", "output_text", "input_text", "output_text"])
                #expect(items.allSatisfy { $0["type"] as? String == "message" })
                #expect(items.allSatisfy { ($0["id"] as? String)?.hasPrefix("msg_") == true })
                #expect(Set(items.compactMap { $0["id"] as? String }).count == 4)

                // Without the header, a chat request stays outside the conversation.
                let outside = try await gateway.request("/v1/chat/completions", body: Self.chat("elsewhere?"))
                #expect(outside.status == 200)
                let outsideSent = try #require(upstream.requests.last).text
                #expect(!outsideSent.contains("first?"), "\(outsideSent)")
                #expect(try await Self.items(gateway, id).count == 4)
            }
        }
    }

    @Test("leading system messages go first in the upstream request, before the history, and are not stored")
    func chatLeadingSystem() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway, Self.history)
                let body = #"{"model":"chat","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"And now?"}]}"#
                let reply = try await gateway.request("/v1/chat/completions", body: body, headers: [(Self.header, id)])
                #expect(reply.status == 200, "\(reply.body)")
                let sent = try #require(upstream.requests.last).text
                #expect(
                    sent.contains(
                        #""messages":[{"content":"Be terse.","role":"system"},{"content":"Hello","role":"user"},{"content":"Hi earlier","role":"assistant"},{"content":"And now?","role":"user"}]"#),
                    "\(sent)")
                let items = try await Self.items(gateway, id)
                #expect(items.compactMap(Self.text) == ["Hello", "Hi earlier", "And now?", "Hi!"])
                #expect(!items.contains { $0["role"] as? String == "system" }, "instructions are not kept")

                // The next turn's instructions replace them: the earlier ones are not replayed.
                let next = #"{"model":"chat","messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"Last?"}]}"#
                #expect(try await gateway.request("/v1/chat/completions", body: next, headers: [(Self.header, id)]).status == 200)
                let nextSent = try #require(upstream.requests.last).text
                #expect(nextSent.contains(#""messages":[{"content":"Be kind.","role":"system"},{"content":"Hello","role":"user"}"#), "\(nextSent)")
                #expect(nextSent.contains(#"{"content":"Hi!","role":"assistant"},{"content":"Last?","role":"user"}]"#), "\(nextSent)")
                #expect(!nextSent.contains("Be terse."))
                #expect(try await Self.items(gateway, id).count == 6)
            }
        }
    }

    @Test("a streamed chat turn is stored before [DONE] reaches the client")
    func chatStreamed() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway, Self.history)
                let streamed = try await gateway.stream(body: Self.chat("stream please", stream: true), headers: [(Self.header, id)])
                #expect(streamed.status == 200, "\(streamed.text)")
                #expect(sseData(streamed.text).last == "[DONE]")
                let sent = try #require(upstream.requests.last).text
                #expect(
                    sent.contains(#""messages":[{"content":"Hello","role":"user"},{"content":"Hi earlier","role":"assistant"},{"content":"stream please","role":"user"}]"#),
                    "\(sent)")
                // Read as soon as the stream is over: already there.
                let items = try await Self.items(gateway, id)
                #expect(items.compactMap(Self.text) == ["Hello", "Hi earlier", "stream please", "Hello there"])
                #expect(items.last?["role"] as? String == "assistant" && items.last?["type"] as? String == "message")
                #expect(items.last.flatMap(Self.partType) == "output_text")

                // The next streamed turn has the first one as history.
                let again = try await gateway.stream(body: Self.chat("again", stream: true), headers: [(Self.header, id)])
                #expect(again.status == 200)
                let againSent = try #require(upstream.requests.last).text
                #expect(againSent.contains(#"{"content":"Hello there","role":"assistant"},{"content":"again","role":"user"}]"#), "\(againSent)")
                #expect(try await Self.items(gateway, id).count == 6)
            }
        }
    }

    @Test("a tool call is stored as a function_call item, arguments byte for byte; the tool's result as a function_call_output")
    func chatToolCalls() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway)
                let tools = #"[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]"#
                let asked = try await gateway.request(
                    "/v1/chat/completions", body: #"{"model":"chat","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":\#(tools)}"#,
                    headers: [(Self.header, id)])
                #expect(asked.status == 200, "\(asked.body)")
                var items = try await Self.items(gateway, id)
                #expect(items.map { $0["type"] as? String } == ["message", "function_call"], "no empty assistant message for a bare tool call")
                let call = try #require(items.last)
                #expect(call["call_id"] as? String == "call_9" && call["name"] as? String == "get_weather")
                #expect(call["arguments"] as? String == #"{"city":"Paris"}"#)

                // Only the tool's result is sent: the call comes from the conversation.
                let answered = try await gateway.request(
                    "/v1/chat/completions",
                    body: #"{"model":"chat","messages":[{"role":"tool","tool_call_id":"call_9","content":"sunny, 21C"}],"tools":\#(tools)}"#,
                    headers: [(Self.header, id)])
                #expect(answered.status == 200, "\(answered.body)")
                #expect(Self.answer(answered) == "Hi!")
                let sent = try #require(upstream.requests.last).text
                #expect(
                    Self.inOrder(sent, [
                        #"{"content":"Weather in Paris?","role":"user"}"#,
                        #""tool_calls":[{"function":{"arguments":"{\"city\":\"Paris\"}","name":"get_weather"},"id":"call_9","type":"function"}]"#,
                        #"{"content":"sunny, 21C","role":"tool","tool_call_id":"call_9"}"#,
                    ]), "\(sent)")

                items = try await Self.items(gateway, id)
                #expect(items.map { $0["type"] as? String } == ["message", "function_call", "function_call_output", "message"])
                try #require(items.count == 4)
                #expect(items[2]["call_id"] as? String == "call_9" && items[2]["output"] as? String == "sunny, 21C")
                #expect(items[3]["role"] as? String == "assistant" && Self.text(items[3]) == "Hi!")
                #expect(items[1]["arguments"] as? String == #"{"city":"Paris"}"#, "unchanged by the next turn")
            }
        }
    }

    @Test("an unknown or deleted conversation in the header is a 404 before any upstream call, streamed or not")
    func chatUnknownConversation() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let unknown = try await gateway.request("/v1/chat/completions", body: Self.chat("hello?"), headers: [(Self.header, "conv_doesnotexist")])
                #expect(unknown.status == 404, "\(unknown.body)")
                #expect(unknown.errorCode == "conversation_not_found")
                let streamed = try await gateway.stream(body: Self.chat("hello?", stream: true), headers: [(Self.header, "conv_doesnotexist")])
                #expect(streamed.status == 404, "\(streamed.text)")
                #expect(!streamed.text.contains("[DONE]"))

                let id = try await Self.create(gateway)
                #expect(try await gateway.request(.DELETE, "/v1/conversations/\(id)").status == 200)
                let deleted = try await gateway.request("/v1/chat/completions", body: Self.chat("hello?"), headers: [(Self.header, id)])
                #expect(deleted.status == 404 && deleted.errorCode == "conversation_not_found")
                #expect(upstream.requests.isEmpty, "the upstream was never called")

                // The gateway is unharmed: the same request without the header is answered.
                #expect(try await gateway.request("/v1/chat/completions", body: Self.chat("hello?")).status == 200)
                #expect(upstream.requests.count == 1)
            }
        }
    }

    @Test("a turn whose upstream call fails stores nothing: chat, a cut chat stream, Responses")
    func failedTurnNotStored() async throws {
        let upstream = UpstreamDouble { request in
            let failing = request.text.contains("boom")
            if request.text.contains(#""stream":true"#) {
                let chunks = OpenAIWireSamples.chatChunks(model: "up-model", pieces: ["Half", " an", " answer"])
                // Cut before the end: no finish reason, no [DONE].
                if failing { return .events(chunks.dropLast().map { .data($0) }, thenDie: true) }
                return .events(chunks.map { .data($0) } + [.done])
            }
            if failing { return .json(status: 500, #"{"error":{"message":"kaput","type":"server_error"}}"#) }
            return .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Hi!"))
        }
        let yaml = "router: {backoff_initial_ms: 1, backoff_max_ms: 2, circuit_breaker: {consecutive_failures: 1000, min_requests: 1000}}\n"
            + GatewayHarness.singleModel
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: yaml, upstream: base) { gateway in
                let id = try await Self.create(gateway, #"{"items":[{"type":"message","role":"user","content":"Hello"}]}"#)

                let failed = try await gateway.request("/v1/chat/completions", body: Self.chat("boom"), headers: [(Self.header, id)])
                #expect(failed.status == 502, "\(failed.body)")
                #expect(upstream.requests.contains { $0.text.contains("boom") }, "the upstream was asked")
                #expect(try await Self.items(gateway, id).count == 1)

                _ = try? await gateway.stream(body: Self.chat("boom", stream: true), headers: [(Self.header, id)])
                #expect(upstream.requests.contains { $0.text.contains(#""stream":true"#) })
                #expect(try await Self.items(gateway, id).count == 1, "a cut stream adds nothing")

                let responses = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"boom","conversation":"\#(id)"}"#)
                #expect(responses.status == 502, "\(responses.body)")
                #expect(try await Self.items(gateway, id).count == 1)

                // A turn that works is stored, and the failed ones left no trace in its history.
                let fine = try await gateway.request("/v1/chat/completions", body: Self.chat("fine?"), headers: [(Self.header, id)])
                #expect(fine.status == 200, "\(fine.body)")
                let sent = try #require(upstream.requests.last).text
                #expect(sent.contains(#""messages":[{"content":"Hello","role":"user"},{"content":"fine?","role":"user"}]"#), "\(sent)")
                #expect(try await Self.items(gateway, id).compactMap(Self.text) == ["Hello", "fine?", "Hi!"])
            }
        }
    }

    // MARK: Responses in a conversation

    @Test("Responses with a conversation, by id or as {id}: its items are the history and the turn is appended; streamed too")
    func responsesTurns() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(
                    gateway, #"{"items":[{"type":"message","role":"user","content":"Remember 7."},{"type":"message","role":"assistant","content":"Noted."}]}"#)
                let first = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"What number?","conversation":"\#(id)"}"#)
                #expect(first.status == 200, "\(first.body)")
                #expect(first.json["object"] as? String == "response")
                #expect((first.json["conversation"] as? [String: Any])?["id"] as? String == id)
                let sent = try #require(upstream.requests.last).text
                #expect(
                    sent.contains(#""messages":[{"content":"Remember 7.","role":"user"},{"content":"Noted.","role":"assistant"},{"content":"What number?","role":"user"}]"#),
                    "\(sent)")
                let afterFirst = try await Self.items(gateway, id)
                #expect(afterFirst.compactMap(Self.text) == ["Remember 7.", "Noted.", "What number?", "Hi!"])
                #expect(afterFirst.map { $0["role"] as? String } == ["user", "assistant", "user", "assistant"])

                let second = try await gateway.request(
                    "/v1/responses",
                    body: #"{"model":"chat","input":[{"type":"message","role":"user","content":"And doubled?"}],"conversation":{"id":"\#(id)"}}"#)
                #expect(second.status == 200, "\(second.body)")
                #expect((second.json["conversation"] as? [String: Any])?["id"] as? String == id)
                let secondSent = try #require(upstream.requests.last).text
                #expect(
                    secondSent.contains(#"{"content":"What number?","role":"user"},{"content":"Hi!","role":"assistant"},{"content":"And doubled?","role":"user"}]"#),
                    "\(secondSent)")
                #expect(try await Self.items(gateway, id).count == 6)

                let events = try await gateway.responseEvents(
                    "/v1/responses", body: #"{"model":"chat","input":"Stream it","stream":true,"conversation":"\#(id)"}"#)
                #expect(events.last?.name == "response.completed")
                let completed = try #require(events.last?.data["response"] as? [String: Any])
                #expect((completed["conversation"] as? [String: Any])?["id"] as? String == id)
                let streamSent = try #require(upstream.requests.last).text
                #expect(
                    streamSent.contains(#"{"content":"And doubled?","role":"user"},{"content":"Hi!","role":"assistant"},{"content":"Stream it","role":"user"}]"#),
                    "\(streamSent)")
                let items = try await Self.items(gateway, id)
                #expect(items.count == 8)
                #expect(Array(items.compactMap(Self.text).suffix(2)) == ["Stream it", "Hello there"])
                #expect(items.last?["role"] as? String == "assistant")
            }
        }
    }

    @Test("Responses refuses conversation with previous_response_id (400) and an unknown conversation (404) before any upstream call")
    func responsesRefusals() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway)
                let earlier = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"Hi"}"#)
                let earlierID = try #require(earlier.json["id"] as? String, "\(earlier.body)")
                let calls = upstream.requests.count

                let both = try await gateway.request(
                    "/v1/responses", body: #"{"model":"chat","input":"x","conversation":"\#(id)","previous_response_id":"\#(earlierID)"}"#)
                #expect(both.status == 400, "\(both.body)")
                let unknown = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","conversation":"conv_nope"}"#)
                #expect(unknown.status == 404 && unknown.errorCode == "conversation_not_found", "\(unknown.body)")
                let unknownObject = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"x","conversation":{"id":"conv_nope"}}"#)
                #expect(unknownObject.status == 404 && unknownObject.errorCode == "conversation_not_found", "\(unknownObject.body)")
                let streamed = try await gateway.stream("/v1/responses", body: #"{"model":"chat","input":"x","stream":true,"conversation":"conv_nope"}"#)
                #expect(streamed.status == 404, "\(streamed.text)")
                #expect(upstream.requests.count == calls, "no upstream call for a refused turn")
                #expect(try await Self.items(gateway, id).isEmpty, "the refused turn added nothing")
            }
        }
    }

    @Test("one conversation shared by chat completions and Responses: each sees the other's turns")
    func sharedAcrossAPIs() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway)
                let chat = try await gateway.request("/v1/chat/completions", body: Self.chat("first?"), headers: [(Self.header, id)])
                #expect(chat.status == 200, "\(chat.body)")

                let response = try await gateway.request("/v1/responses", body: #"{"model":"chat","input":"second?","conversation":"\#(id)"}"#)
                #expect(response.status == 200, "\(response.body)")
                let responsesSent = try #require(upstream.requests.last).text
                #expect(
                    responsesSent.contains(
                        #""messages":[{"content":"first?","role":"user"},{"content":"Hi!","role":"assistant"},{"content":"second?","role":"user"}]"#),
                    "\(responsesSent)")

                let back = try await gateway.request("/v1/chat/completions", body: Self.chat("third?"), headers: [(Self.header, id)])
                #expect(back.status == 200, "\(back.body)")
                let chatSent = try #require(upstream.requests.last).text
                #expect(
                    chatSent.contains(
                        #"[{"content":"first?","role":"user"},{"content":"Hi!","role":"assistant"},{"content":"second?","role":"user"},{"content":"Hi!","role":"assistant"},{"content":"third?","role":"user"}]"#),
                    "\(chatSent)")
                let items = try await Self.items(gateway, id)
                #expect(items.compactMap(Self.text) == ["first?", "Hi!", "second?", "Hi!", "third?", "Hi!"])
                #expect(items.map { $0["role"] as? String } == ["user", "assistant", "user", "assistant", "user", "assistant"])
            }
        }
    }

    // MARK: Refusals that keep a conversation whole

    @Test("refused before any upstream call: legacy function messages, an input item already in the conversation, a bad item id")
    func refusalsKeepTheConversation() async throws {
        let upstream = chatUpstream()
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway, Self.history)
                let stored = try await Self.items(gateway, id)
                let storedID = try #require(stored.first?["id"] as? String)

                let legacy = try await gateway.request(
                    "/v1/chat/completions",
                    body: #"{"model":"chat","messages":[{"role":"user","content":"go"},{"role":"function","name":"f","content":"42"}]}"#,
                    headers: [(Self.header, id)])
                #expect(legacy.status == 400, "\(legacy.body)")

                let repeated = try await gateway.request(
                    "/v1/responses",
                    body: #"{"model":"chat","conversation":"\#(id)","input":[{"type":"message","id":"\#(storedID)","role":"user","content":"again"}]}"#)
                #expect(repeated.status == 400, "\(repeated.body)")
                #expect(repeated.errorMessage.contains(storedID))

                for badID in [#"123"#, #""\#(String(repeating: "x", count: 300))""#, #""""#] {
                    let added = try await gateway.request(
                        "/v1/conversations/\(id)/items", body: #"{"items":[{"type":"message","role":"user","content":"x","id":\#(badID)}]}"#)
                    #expect(added.status == 400, "id \(badID.prefix(20)): \(added.body)")
                }
                #expect(upstream.requests.isEmpty, "nothing reached the upstream")
                #expect(try await Self.items(gateway, id).count == stored.count, "nothing was appended")
            }
        }
    }

    @Test("a streamed answer that cannot be kept whole (two choices) ends with an error instead of [DONE], and stores nothing")
    func unkeepableStream() async throws {
        let upstream = UpstreamDouble { _ in
            let head = #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up-model","#
            return .events([
                .data(head + #""choices":[{"index":0,"delta":{"role":"assistant","content":"one"},"finish_reason":null}]}"#),
                .data(head + #""choices":[{"index":1,"delta":{"role":"assistant","content":"two"},"finish_reason":null}]}"#),
                .data(head + #""choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"stop"}]}"#),
                .done,
            ])
        }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel, upstream: base) { gateway in
                let id = try await Self.create(gateway, Self.history)
                let (_, _, text) = try await gateway.stream(
                    body: #"{"model":"chat","n":2,"stream":true,"messages":[{"role":"user","content":"twice"}]}"#, headers: [(Self.header, id)])
                #expect(!text.contains("data: [DONE]"), "\(text)")
                #expect(text.contains("conversation_not_saved"), "\(text)")
                #expect(try await Self.items(gateway, id).count == 2, "nothing was appended")
            }
        }
    }
}
