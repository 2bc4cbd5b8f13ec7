import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire
import Testing

@Suite("file_search output: the call item, its events, and file citations")
struct FileSearchOutputTests {
    /// "Café 👍🏽": 7 Unicode scalars, 9 UTF-16 units, 14 UTF-8 bytes, 6 characters.
    static let text = "Caf\u{E9} \u{1F44D}\u{1F3FD}"
    static let files: [(id: String, filename: String)] = [
        (id: "file-1", filename: "refunds.md"), (id: "file-2", filename: "shipping.md"), (id: "file-1", filename: "refunds.md"),
    ]
    static let result: JSONValue = [
        "file_id": "file-1", "filename": "refunds.md", "score": 0.9, "attributes": [:], "text": "Refunds are made within 30 days.",
    ]

    /// The keys of an object.
    static func keys(_ value: JSONValue?) -> Set<String> { Set(value?.object?.keys.map { $0 } ?? []) }

    @Test("the sample text counts differently in scalars, UTF-16 and UTF-8")
    func sampleText() {
        #expect(Self.text.unicodeScalars.count == 7)
        #expect(Self.text.utf16.count == 9)
        #expect(Self.text.utf8.count == 14)
        #expect(Self.text.count == 6)
    }

    @Test("a call item carries its results, or null for them")
    func callItem() {
        let withResults = FileSearchOutput.callItem(id: "fs_1", queries: ["refund policy"], results: [Self.result])
        #expect(
            withResults
                == ["id": "fs_1", "type": "file_search_call", "status": "completed", "queries": ["refund policy"], "results": [Self.result]])
        let withoutResults = FileSearchOutput.callItem(id: "fs_2", queries: ["a", "b"], results: nil)
        #expect(withoutResults == ["id": "fs_2", "type": "file_search_call", "status": "completed", "queries": ["a", "b"], "results": nil])
        #expect(Self.keys(withoutResults).contains("results"), "results is there, as null")
        #expect(withoutResults["results"]?.isNull == true)
        let empty = FileSearchOutput.callItem(id: "fs_3", queries: [], results: [], status: "incomplete")
        #expect(empty["results"] == [] && empty["status"] == "incomplete" && empty["queries"] == [])
    }

    @Test("a search streams as the item added in progress, searching, completed, and done, all at its output index")
    func events() {
        let item = FileSearchOutput.callItem(id: "fs_1", queries: ["refund policy"], results: [Self.result])
        let events = FileSearchOutput.events(for: item, outputIndex: 2)
        #expect(events.map { $0["type"]?.string ?? "" } == [
            "response.output_item.added", "response.file_search_call.in_progress", "response.file_search_call.searching",
            "response.file_search_call.completed", "response.output_item.done",
        ])
        for event in events { #expect(event["output_index"] == 2, "\(event.jsonText)") }
        for event in events[1...3] {
            #expect(event["item_id"] == "fs_1")
            #expect(Self.keys(event) == ["type", "output_index", "item_id"])
        }
        // Added in progress, without results yet; done as it is.
        #expect(
            events[0]["item"]
                == ["id": "fs_1", "type": "file_search_call", "status": "in_progress", "queries": ["refund policy"], "results": nil])
        #expect(events[4]["item"] == item)
        #expect(FileSearchOutput.events(for: item, outputIndex: 0).allSatisfy { $0["output_index"] == 0 })
    }

    @Test("one citation per file, in order, each at the index given")
    func citations() {
        let citations = FileSearchOutput.citations(of: Self.files, at: 7)
        #expect(citations == [
            ["type": "file_citation", "index": 7, "file_id": "file-1", "filename": "refunds.md"],
            ["type": "file_citation", "index": 7, "file_id": "file-2", "filename": "shipping.md"],
        ])
        #expect(FileSearchOutput.citations(of: [], at: 3).isEmpty)
    }

    @Test("cite annotates every output_text part of message items, at the end of its text in Unicode scalars")
    func cite() {
        let search = FileSearchOutput.callItem(id: "fs_1", queries: ["refunds"], results: nil)
        let earlier: JSONValue = ["type": "url_citation", "url": "https://example.com", "start_index": 0, "end_index": 3, "title": "x"]
        let message: JSONValue = [
            "type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
            "content": [
                ["type": "output_text", "text": .string(Self.text), "annotations": [], "logprobs": []],
                ["type": "refusal", "refusal": "No."],
                ["type": "output_text", "text": "Done", "annotations": [earlier], "logprobs": []],
            ],
        ]
        let call: JSONValue = ["type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": "{}", "status": "completed"]
        var output: [JSONValue] = [search, message, call]
        FileSearchOutput.cite(Self.files, in: &output)

        #expect(output.count == 3)
        #expect(output[0] == search, "the search item is not a message")
        #expect(output[2] == call)
        let parts = output[1]["content"]?.array ?? []
        #expect(parts.count == 3)
        #expect(
            parts[0]["annotations"]
                == [
                    ["type": "file_citation", "index": 7, "file_id": "file-1", "filename": "refunds.md"],
                    ["type": "file_citation", "index": 7, "file_id": "file-2", "filename": "shipping.md"],
                ])
        #expect(parts[0]["text"] == .string(Self.text))
        #expect(parts[1] == ["type": "refusal", "refusal": "No."], "a refusal part is left alone")
        // Annotations already there stay first; the text's own length places the citations.
        #expect(
            parts[2]["annotations"]
                == [
                    earlier,
                    ["type": "file_citation", "index": 4, "file_id": "file-1", "filename": "refunds.md"],
                    ["type": "file_citation", "index": 4, "file_id": "file-2", "filename": "shipping.md"],
                ])
        #expect(output[1]["id"] == "msg_1" && output[1]["role"] == "assistant" && output[1]["status"] == "completed")

        // Several messages are each annotated.
        var two: [JSONValue] = [
            ChatToResponse.messageItem(id: "msg_1", text: "One", status: "completed"),
            ChatToResponse.messageItem(id: "msg_2", text: "Three", status: "completed"),
        ]
        FileSearchOutput.cite([(id: "file-9", filename: "n.md")], in: &two)
        let indexes = two.map { $0["content"]?.array?.first?["annotations"]?.array?.first?["index"]?.int }
        #expect(indexes == [3, 5])
    }

    @Test("cite without files changes nothing")
    func citeNothing() {
        let original: [JSONValue] = [ChatToResponse.messageItem(id: "msg_1", text: "Hi", status: "completed")]
        var output = original
        FileSearchOutput.cite([], in: &output)
        #expect(output == original)
    }

    // MARK: The stream

    static func response(output: [JSONValue] = []) -> ResponseObject {
        var response = ResponseObject(id: "resp_1", createdAt: 10, model: "chat", status: "queued", request: ["model": "chat", "stream": true])
        response.output = output
        return response
    }

    static let chunks: [JSONValue] = [
        ["choices": [["index": 0, "delta": ["role": "assistant", "content": "Caf\u{E9} "]]]],
        ["choices": [["index": 0, "delta": ["content": "\u{1F44D}\u{1F3FD}"]]]],
        ["choices": [["index": 0, "delta": [:], "finish_reason": "stop"]]],
    ]

    @Test("a search run before the answer streams first at output 0; the answer's text is cited at its end")
    func streamWithSearch() throws {
        let search = FileSearchOutput.callItem(id: "fs_1", queries: ["refund policy"], results: nil)
        var translator = ChatToResponsesStreamTranslator(response: Self.response(output: [search]), makeID: SequentialIDs().maker)
        translator.citedFiles = Self.files
        let opening = translator.start()
        #expect(opening.map { $0["type"]?.string ?? "" } == [
            "response.created", "response.in_progress",
            "response.output_item.added", "response.file_search_call.in_progress", "response.file_search_call.searching",
            "response.file_search_call.completed", "response.output_item.done",
        ])
        #expect(opening[0]["response"]?["status"] == "in_progress")
        for event in opening[2...] { #expect(event["output_index"] == 0, "\(event.jsonText)") }
        #expect(opening[2]["item"]?["status"] == "in_progress")
        #expect(opening[6]["item"] == search)
        #expect(opening[3]["item_id"] == "fs_1")

        var events: [JSONValue] = []
        for chunk in Self.chunks { events += translator.consume(chunk) }
        #expect(events.map { $0["type"]?.string ?? "" } == [
            "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        ])
        #expect(events[0]["output_index"] == 1, "the message comes after the search")
        #expect(events[0]["item"]?["id"] == "msg_1")
        #expect(events[2]["output_index"] == 1 && events[2]["delta"] == "Caf\u{E9} ")

        let closing = translator.finish(now: 20)
        #expect(closing.map { $0["type"]?.string ?? "" } == [
            "response.output_text.annotation.added", "response.output_text.annotation.added", "response.output_text.done",
            "response.content_part.done", "response.output_item.done", "response.completed",
        ])
        let citations: [JSONValue] = [
            ["type": "file_citation", "index": 7, "file_id": "file-1", "filename": "refunds.md"],
            ["type": "file_citation", "index": 7, "file_id": "file-2", "filename": "shipping.md"],
        ]
        #expect(
            closing[0]
                == [
                    "type": "response.output_text.annotation.added", "item_id": "msg_1", "output_index": 1, "content_index": 0, "annotation_index": 0,
                    "annotation": citations[0],
                ])
        #expect(closing[1]["annotation_index"] == 1 && closing[1]["annotation"] == citations[1])
        #expect(closing[2]["text"] == .string(Self.text))
        #expect(closing[3]["part"]?["annotations"] == .array(citations))
        #expect(closing[4]["output_index"] == 1)
        #expect(closing[4]["item"]?["content"]?.array?.first?["annotations"] == .array(citations))

        let completed = try #require(closing[5]["response"])
        #expect(completed["status"] == "completed")
        let output = try #require(completed["output"]?.array)
        #expect(output.count == 2)
        #expect(output[0] == search, "the search item stays first")
        #expect(
            output[1]
                == [
                    "type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                    "content": [["type": "output_text", "text": .string(Self.text), "annotations": .array(citations), "logprobs": []]],
                ])
        #expect(translator.response.output[1] == output[1])
    }

    @Test("without cited files the stream is as before: no search events, no annotations")
    func streamWithoutSearch() {
        var translator = ChatToResponsesStreamTranslator(response: Self.response(), makeID: SequentialIDs().maker)
        var events = translator.start()
        for chunk in Self.chunks { events += translator.consume(chunk) }
        events += translator.finish(now: 20)
        #expect(events.map { $0["type"]?.string ?? "" } == [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta",
            "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.completed",
        ])
        #expect(events[2]["output_index"] == 0)
        #expect(translator.response.output.count == 1)
        #expect(translator.response.output[0]["content"]?.array?.first?["annotations"] == [])
        #expect(events[7]["part"]?["annotations"] == [])
    }

    @Test("a search item without cited files streams its events, and the text gets no annotations")
    func searchWithoutCitations() {
        let search = FileSearchOutput.callItem(id: "fs_1", queries: ["nothing found"], results: [])
        var translator = ChatToResponsesStreamTranslator(response: Self.response(output: [search]), makeID: SequentialIDs().maker)
        var events = translator.start()
        for chunk in Self.chunks { events += translator.consume(chunk) }
        events += translator.finish(now: 20)
        #expect(!events.contains { $0["type"] == "response.output_text.annotation.added" })
        #expect(events.filter { $0["type"] == "response.file_search_call.completed" }.count == 1)
        #expect(translator.response.output[1]["content"]?.array?.first?["annotations"] == [])
    }
}

@Suite("Responses requests with tools the gateway serves")
struct ServedToolsTests {
    static let fileSearch: JSONValue = ["type": "file_search", "vector_store_ids": ["vs_1"], "max_num_results": 5]
    static let function: JSONValue = ["type": "function", "name": "lookup", "parameters": ["type": "object"]]

    static func keys(_ value: JSONValue) -> Set<String> { Set(value.object?.keys.map { $0 } ?? []) }

    static func translate(_ request: JSONValue, servedTools: Set<String>) throws(GatewayError) -> JSONValue {
        let translator = ResponsesRequestToChat(servedTools: servedTools)
        let items = try translator.inputItems(request, makeID: SequentialIDs().maker)
        return try translator.translate(request, history: [], items: items)
    }

    @Test("a served file_search tool is left out; function tools and the tool choice are kept")
    func dropsServedTool() throws {
        let request: JSONValue = [
            "model": "chat", "input": "What is the refund policy?", "tools": [Self.fileSearch, Self.function], "tool_choice": "auto",
        ]
        let chat = try Self.translate(request, servedTools: ["file_search"])
        #expect(chat["tools"] == [["type": "function", "function": ["name": "lookup", "parameters": ["type": "object"]]]])
        #expect(chat["tool_choice"] == "auto")
        #expect(chat["messages"] == [["role": "user", "content": "What is the refund policy?"]])
    }

    @Test("with only a served tool there are no tools, and a tool choice has nothing to apply to")
    func onlyServedTool() throws {
        for choice in ["required", "auto", "none"] {
            let request: JSONValue = ["model": "chat", "input": "Refunds?", "tools": [Self.fileSearch], "tool_choice": .string(choice)]
            let chat = try Self.translate(request, servedTools: ["file_search"])
            #expect(!Self.keys(chat).contains("tools"), "\(chat.jsonText)")
            #expect(!Self.keys(chat).contains("tool_choice"), "\(choice): \(chat.jsonText)")
        }
    }

    @Test("a tool choice naming the served tool is left out, even beside function tools")
    func servedToolChoice() throws {
        let request: JSONValue = [
            "model": "chat", "input": "Refunds?", "tools": [Self.fileSearch, Self.function], "tool_choice": ["type": "file_search"],
        ]
        let chat = try Self.translate(request, servedTools: ["file_search"])
        #expect(Self.keys(chat).contains("tools"))
        #expect(!Self.keys(chat).contains("tool_choice"))
        // A function choice is still carried.
        let named: JSONValue = [
            "model": "chat", "input": "Refunds?", "tools": [Self.fileSearch, Self.function], "tool_choice": ["type": "function", "name": "lookup"],
        ]
        #expect(try Self.translate(named, servedTools: ["file_search"])["tool_choice"] == ["type": "function", "function": ["name": "lookup"]])
    }

    @Test("without served tools a file_search tool is still refused")
    func notServed() throws {
        let request: JSONValue = ["model": "chat", "input": "Refunds?", "tools": [Self.function, Self.fileSearch]]
        do {
            _ = try Self.translate(request, servedTools: [])
            Issue.record("accepted a file_search tool")
        } catch {
            #expect(error.status == 400)
            #expect(error.param == "tools[1].type", "\(error.message)")
            #expect(error.message.contains("hosted by OpenAI"), "\(error.message)")
        }
        do {
            let translator = ResponsesRequestToChat()
            _ = try translator.translate(request, history: [], items: try translator.inputItems(request, makeID: SequentialIDs().maker))
            Issue.record("the default translator accepted a file_search tool")
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test("other hosted tools are still refused beside a served one, named by their own index")
    func otherHostedTools() throws {
        let request: JSONValue = ["model": "chat", "input": "Refunds?", "tools": [Self.fileSearch, ["type": "web_search"]]]
        do {
            _ = try Self.translate(request, servedTools: ["file_search"])
            Issue.record("accepted a web_search tool")
        } catch {
            #expect(error.status == 400)
            #expect(error.param == "tools[1].type", "\(error.message)")
        }
    }

    @Test("a file_search_call input item is read, kept, and not sent to the model")
    func searchItemInInput() throws {
        let request: JSONValue = [
            "model": "chat",
            "input": [
                ["role": "user", "content": "Refunds?"],
                ["type": "file_search_call", "id": "fs_1", "status": "completed", "queries": ["refunds"], "results": nil],
            ],
        ]
        let translator = ResponsesRequestToChat(servedTools: ["file_search"])
        let items = try translator.inputItems(request, makeID: SequentialIDs().maker)
        #expect(items.count == 2)
        #expect(items[1]["type"] == "file_search_call" && items[1]["id"] == "fs_1")
        let chat = try translator.translate(request, history: [], items: items)
        #expect(chat["messages"] == [["role": "user", "content": "Refunds?"]])
    }
}
