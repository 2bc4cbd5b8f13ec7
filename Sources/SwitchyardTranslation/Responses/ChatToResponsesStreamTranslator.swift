package import SwitchyardCore
public import SwitchyardWire

/// Turns a stream of Chat Completions chunks (the hub) into the Responses API's semantic events, one chunk at a
/// time, and keeps the response they describe.
///
/// The sequence: `response.created`, `response.in_progress`; per output item `response.output_item.added`, then
/// for a message `response.content_part.added` and `response.output_text.delta`s, for a function call
/// `response.function_call_arguments.delta`s; at the end each open item's `.done` events
/// (`output_text.done`, `content_part.done`, `function_call_arguments.done`, `output_item.done`), then
/// `response.completed` or `response.incomplete`, or `response.failed`. Events carry no `sequence_number`; the
/// writer numbers them.
public struct ChatToResponsesStreamTranslator: Sendable {
    package private(set) var response: ResponseObject
    private let makeID: ResponsesIDMaker
    private var message: (outputIndex: Int, id: String, text: String)?
    /// A refusal streams as a message of its own, with a `refusal` part.
    private var refusal: (outputIndex: Int, id: String, text: String)?
    /// Open function calls by their Chat tool-call index.
    private var calls: [Int: (outputIndex: Int, id: String, callID: String, name: String, arguments: String)] = [:]
    private var finishReason: String?
    /// Files the answer's text is credited to (a `file_search` the gateway ran): `file_citation` annotations at the
    /// end of the text.
    package var citedFiles: [(id: String, filename: String)] = []

    public init(response: ResponseObject, makeID: @escaping ResponsesIDMaker) {
        self.response = response
        self.makeID = makeID
    }

    /// The opening events, and those of a search the gateway ran before the answer (an output item already there).
    public mutating func start() -> [JSONValue] {
        response.status = "in_progress"
        // The search's item is announced by its own events, not already in the opening response.
        let searched = response.output
        response.output = []
        var events = [lifecycle("response.created"), lifecycle("response.in_progress")]
        response.output = searched
        for (index, item) in searched.enumerated() where item["type"]?.string == "file_search_call" {
            events += FileSearchOutput.events(for: item, outputIndex: index)
        }
        return events
    }

    /// The events for one chunk.
    public mutating func consume(_ chunk: JSONValue) -> [JSONValue] {
        var events: [JSONValue] = []
        if let usage = chunk["usage"], !usage.isNull { response.usage = ChatToResponse.usage(usage) }
        guard let choice = chunk["choices"]?.array?.first else { return events }
        let delta = choice["delta"]
        if let text = delta?["content"]?.string, !text.isEmpty {
            if message == nil { events += openMessage() }
            message!.text += text
            events.append([
                "type": "response.output_text.delta", "item_id": .string(message!.id), "output_index": .integer(Int64(message!.outputIndex)),
                "content_index": 0, "delta": .string(text), "logprobs": [],
            ])
        }
        if let text = delta?["refusal"]?.string, !text.isEmpty {
            if refusal == nil { events += openRefusal() }
            refusal!.text += text
            events.append([
                "type": "response.refusal.delta", "item_id": .string(refusal!.id), "output_index": .integer(Int64(refusal!.outputIndex)),
                "content_index": 0, "delta": .string(text),
            ])
        }
        for call in delta?["tool_calls"]?.array ?? [] {
            let index = call["index"]?.int ?? 0
            if calls[index] == nil {
                let outputIndex = response.output.count
                let opened = (
                    outputIndex: outputIndex, id: makeID("fc"), callID: call["id"]?.string ?? makeID("call"),
                    name: call["function"]?["name"]?.string ?? "", arguments: ""
                )
                calls[index] = opened
                let item = ChatToResponse.functionCallItem(id: opened.id, callID: opened.callID, name: opened.name, arguments: "", status: "in_progress")
                response.output.append(item)
                events.append(["type": "response.output_item.added", "output_index": .integer(Int64(outputIndex)), "item": item])
            } else if let name = call["function"]?["name"]?.string, !name.isEmpty, calls[index]!.name.isEmpty {
                calls[index]!.name = name
            }
            if let fragment = call["function"]?["arguments"]?.string, !fragment.isEmpty {
                calls[index]!.arguments += fragment
                events.append([
                    "type": "response.function_call_arguments.delta", "item_id": .string(calls[index]!.id),
                    "output_index": .integer(Int64(calls[index]!.outputIndex)), "delta": .string(fragment),
                ])
            }
        }
        if let reason = choice["finish_reason"]?.string { finishReason = reason }
        return events
    }

    /// The closing events of a stream that ended normally.
    public mutating func finish(now: Int) -> [JSONValue] {
        // Each open item's closing events, in output order.
        var closings: [(index: Int, events: [JSONValue])] = []
        if let message {
            let citations = citedFiles.isEmpty ? [] : FileSearchOutput.citations(of: citedFiles, at: message.text.unicodeScalars.count)
            let item = ChatToResponse.messageItem(id: message.id, text: message.text, status: "completed", annotations: citations)
            let position: [String: JSONValue] = ["item_id": .string(message.id), "output_index": .integer(Int64(message.outputIndex)), "content_index": 0]
            let annotated = citations.enumerated().map { index, citation in
                JSONValue.object(
                    position.merging(["type": "response.output_text.annotation.added", "annotation_index": .integer(Int64(index)), "annotation": citation]) {
                        $1
                    })
            }
            closings.append((message.outputIndex, annotated + [
                .object(position.merging(["type": "response.output_text.done", "text": .string(message.text), "logprobs": []]) { $1 }),
                .object(position.merging(["type": "response.content_part.done", "part": ChatToResponse.outputText(message.text, annotations: citations)]) { $1 }),
                ["type": "response.output_item.done", "output_index": .integer(Int64(message.outputIndex)), "item": item],
            ]))
            response.output[message.outputIndex] = item
        }
        if let refusal {
            let part: JSONValue = ["type": "refusal", "refusal": .string(refusal.text)]
            let item: JSONValue = ["type": "message", "id": .string(refusal.id), "status": "completed", "role": "assistant", "content": [part]]
            let position: [String: JSONValue] = ["item_id": .string(refusal.id), "output_index": .integer(Int64(refusal.outputIndex)), "content_index": 0]
            closings.append((refusal.outputIndex, [
                .object(position.merging(["type": "response.refusal.done", "refusal": .string(refusal.text)]) { $1 }),
                .object(position.merging(["type": "response.content_part.done", "part": part]) { $1 }),
                ["type": "response.output_item.done", "output_index": .integer(Int64(refusal.outputIndex)), "item": item],
            ]))
            response.output[refusal.outputIndex] = item
        }
        for call in calls.values {
            let item = ChatToResponse.functionCallItem(id: call.id, callID: call.callID, name: call.name, arguments: call.arguments, status: "completed")
            closings.append((call.outputIndex, [
                [
                    "type": "response.function_call_arguments.done", "item_id": .string(call.id), "output_index": .integer(Int64(call.outputIndex)),
                    "name": .string(call.name), "arguments": .string(call.arguments),
                ],
                ["type": "response.output_item.done", "output_index": .integer(Int64(call.outputIndex)), "item": item],
            ]))
            response.output[call.outputIndex] = item
        }
        var events = closings.sorted { $0.index < $1.index }.flatMap(\.events)
        message = nil
        refusal = nil
        calls = [:]
        ChatToResponse.finish(&response, reason: finishReason, now: now)
        events.append(lifecycle(response.status == "incomplete" ? "response.incomplete" : "response.completed"))
        return events
    }

    /// The closing event of a stream that failed.
    package mutating func fail(_ error: GatewayError, now: Int) -> [JSONValue] {
        response.status = "failed"
        // The codes the Responses API uses: rate_limit_exceeded, else server_error (the message says what happened).
        response.error = ["code": .string(error.status == 429 ? "rate_limit_exceeded" : "server_error"), "message": .string(error.message)]
        response.completedAt = now
        return [lifecycle("response.failed")]
    }

    /// The response as it stands, closed as `incomplete` (`incomplete_details.reason: "interrupted"`) with every
    /// open item holding what was streamed into it: for a stream whose reader left before its end.
    package func interrupted(now: Int) -> ResponseObject {
        var response = self.response
        if let message {
            response.output[message.outputIndex] = ChatToResponse.messageItem(id: message.id, text: message.text, status: "incomplete")
        }
        if let refusal {
            let part: JSONValue = ["type": "refusal", "refusal": .string(refusal.text)]
            response.output[refusal.outputIndex] = ["type": "message", "id": .string(refusal.id), "status": "incomplete", "role": "assistant", "content": [part]]
        }
        for call in calls.values {
            response.output[call.outputIndex] = ChatToResponse.functionCallItem(
                id: call.id, callID: call.callID, name: call.name, arguments: call.arguments, status: "incomplete")
        }
        response.status = "incomplete"
        response.incompleteDetails = ["reason": "interrupted"]
        response.completedAt = now
        return response
    }

    /// Marks the response cancelled, keeping what its open items held.
    package mutating func cancel(now: Int) {
        response = interrupted(now: now)
        response.status = "cancelled"
        response.incompleteDetails = nil
    }

    private mutating func openMessage() -> [JSONValue] {
        let opened = (outputIndex: response.output.count, id: makeID("msg"), text: "")
        message = opened
        let item = ChatToResponse.messageItem(id: opened.id, text: "", status: "in_progress")
        response.output.append(item)
        return [
            ["type": "response.output_item.added", "output_index": .integer(Int64(opened.outputIndex)), "item": item],
            [
                "type": "response.content_part.added", "item_id": .string(opened.id), "output_index": .integer(Int64(opened.outputIndex)),
                "content_index": 0, "part": ChatToResponse.outputText(""),
            ],
        ]
    }

    private mutating func openRefusal() -> [JSONValue] {
        let opened = (outputIndex: response.output.count, id: makeID("msg"), text: "")
        refusal = opened
        let item: JSONValue = ["type": "message", "id": .string(opened.id), "status": "in_progress", "role": "assistant", "content": []]
        response.output.append(item)
        return [
            ["type": "response.output_item.added", "output_index": .integer(Int64(opened.outputIndex)), "item": item],
            [
                "type": "response.content_part.added", "item_id": .string(opened.id), "output_index": .integer(Int64(opened.outputIndex)),
                "content_index": 0, "part": ["type": "refusal", "refusal": ""],
            ],
        ]
    }

    private func lifecycle(_ type: String) -> JSONValue {
        ["type": .string(type), "response": response.json]
    }

    /// The events that replay a finished response: opening, each item added and done (a message's text as one
    /// delta), and its terminal event. For `GET /v1/responses/{id}?stream=true`.
    package static func replay(_ response: ResponseObject) -> [JSONValue] {
        var opening = response
        opening.status = "in_progress"
        opening.output = []
        opening.usage = nil
        opening.completedAt = nil
        opening.error = nil
        opening.incompleteDetails = nil
        var events: [JSONValue] = [["type": "response.created", "response": opening.json], ["type": "response.in_progress", "response": opening.json]]
        guard response.isTerminal else { return events }
        for (index, item) in response.output.enumerated() {
            let outputIndex = JSONValue.integer(Int64(index))
            // Added empty, as a live stream adds it; the parts and deltas below fill it.
            var added = item.object ?? [:]
            added["status"] = "in_progress"
            if added["content"] != nil { added["content"] = [] }
            if added["arguments"] != nil { added["arguments"] = "" }
            events.append(["type": "response.output_item.added", "output_index": outputIndex, "item": .object(added)])
            let id = item["id"] ?? ""
            if item["type"]?.string == "message" {
                for (partIndex, part) in (item["content"]?.array ?? []).enumerated() {
                    let position: [String: JSONValue] = ["item_id": id, "output_index": outputIndex, "content_index": .integer(Int64(partIndex))]
                    var empty = part.object ?? [:]
                    if empty["text"] != nil { empty["text"] = "" }
                    if empty["refusal"] != nil { empty["refusal"] = "" }
                    events.append(.object(position.merging(["type": "response.content_part.added", "part": .object(empty)]) { $1 }))
                    if let text = part["text"]?.string {
                        events.append(.object(position.merging(["type": "response.output_text.delta", "delta": .string(text), "logprobs": []]) { $1 }))
                        events.append(.object(position.merging(["type": "response.output_text.done", "text": .string(text), "logprobs": []]) { $1 }))
                    } else if let refusal = part["refusal"]?.string {
                        events.append(.object(position.merging(["type": "response.refusal.delta", "delta": .string(refusal)]) { $1 }))
                        events.append(.object(position.merging(["type": "response.refusal.done", "refusal": .string(refusal)]) { $1 }))
                    }
                    events.append(.object(position.merging(["type": "response.content_part.done", "part": part]) { $1 }))
                }
            } else if item["type"]?.string == "function_call" {
                let arguments = item["arguments"] ?? ""
                events.append(["type": "response.function_call_arguments.delta", "item_id": id, "output_index": outputIndex, "delta": arguments])
                events.append([
                    "type": "response.function_call_arguments.done", "item_id": id, "output_index": outputIndex, "name": item["name"] ?? "",
                    "arguments": arguments,
                ])
            }
            events.append(["type": "response.output_item.done", "output_index": outputIndex, "item": item])
        }
        let terminal =
            switch response.status {
            case "incomplete": "response.incomplete"
            case "failed", "cancelled": "response.failed"
            default: "response.completed"
            }
        events.append(["type": .string(terminal), "response": response.json])
        return events
    }
}
