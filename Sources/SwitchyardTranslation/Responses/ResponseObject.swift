import SwitchyardCore
public import SwitchyardWire

/// A Responses API `response` object as the gateway keeps and serves it.
public struct ResponseObject: Sendable, Equatable {
    package var id: String
    package var createdAt: Int
    /// The public model name.
    package var model: String
    /// queued, in_progress, completed, incomplete, failed or cancelled.
    package var status: String
    /// The request as the client sent it (its `input` is kept as items elsewhere).
    package var request: JSONValue
    package var output: [JSONValue] = []
    package var usage: JSONValue?
    package var error: JSONValue?
    package var incompleteDetails: JSONValue?
    package var completedAt: Int?

    public init(id: String, createdAt: Int, model: String, status: String, request: JSONValue) {
        self.id = id
        self.createdAt = createdAt
        self.model = model
        self.status = status
        self.request = request
    }

    /// Whether the response will not change any more.
    package var isTerminal: Bool { ["completed", "incomplete", "failed", "cancelled"].contains(status) }

    /// The object in the API's shape, request settings echoed with the API's defaults.
    package var json: JSONValue {
        let fields = request.object ?? [:]
        func echoed(_ key: String, default fallback: JSONValue) -> JSONValue {
            guard let value = fields[key], !value.isNull else { return fallback }
            return value
        }
        var object: [String: JSONValue] = [
            "id": .string(id), "object": "response", "created_at": .integer(Int64(createdAt)), "status": .string(status),
            "background": echoed("background", default: false), "error": error ?? .null, "incomplete_details": incompleteDetails ?? .null,
            "instructions": echoed("instructions", default: .null), "max_output_tokens": echoed("max_output_tokens", default: .null),
            "model": .string(model), "output": .array(output), "parallel_tool_calls": echoed("parallel_tool_calls", default: true),
            "previous_response_id": echoed("previous_response_id", default: .null),
            "reasoning": ["effort": fields["reasoning"]?["effort"] ?? .null, "summary": fields["reasoning"]?["summary"] ?? .null],
            "store": echoed("store", default: true), "temperature": echoed("temperature", default: 1.0),
            "text": echoed("text", default: ["format": ["type": "text"]]), "tool_choice": echoed("tool_choice", default: "auto"),
            "tools": echoed("tools", default: []), "top_p": echoed("top_p", default: 1.0), "truncation": echoed("truncation", default: "disabled"),
            "usage": usage ?? .null, "user": echoed("user", default: .null), "metadata": echoed("metadata", default: [:]),
        ]
        if let completedAt { object["completed_at"] = .integer(Int64(completedAt)) }
        // The conversation the turn belongs to, as `{"id": ...}` whichever way the request named it.
        if let conversation = fields["conversation"], let id = conversation.string ?? conversation["id"]?.string {
            object["conversation"] = ["id": .string(id)]
        }
        return .object(object)
    }

    /// The value, unless it is absent or JSON null. (No ternary: its `nil` would be JSONValue.null.)
    static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    /// Reads an object made by ``json``.
    package init?(json: JSONValue, request: JSONValue) {
        guard let id = json["id"]?.string, let status = json["status"]?.string, let model = json["model"]?.string else { return nil }
        self.init(id: id, createdAt: json["created_at"]?.int ?? 0, model: model, status: status, request: request)
        output = json["output"]?.array ?? []
        usage = Self.present(json["usage"])
        error = Self.present(json["error"])
        incompleteDetails = Self.present(json["incomplete_details"])
        completedAt = json["completed_at"]?.int
    }
}

/// Turns a Chat Completions answer (the hub) into a response's output items, status and usage.
package enum ChatToResponse {
    /// Fills `response` from `completion`: a message item for the text, a function_call item per tool call (the
    /// call's id becomes `call_id`, its arguments are kept byte for byte), the usage, and the status the finish
    /// reason implies (`length` is incomplete for max_output_tokens, `content_filter` incomplete too).
    package static func complete(_ response: inout ResponseObject, with completion: JSONValue, makeID: ResponsesIDMaker, now: Int) {
        let choice = completion["choices"]?.array?.first
        response.output = outputItems(of: completion, makeID: makeID)
        response.usage = ResponseObject.present(completion["usage"]).map(usage)
        finish(&response, reason: choice?["finish_reason"]?.string, now: now)
    }

    /// The output items of a Chat answer: a message item for its text, one for a refusal, a function_call item
    /// per tool call.
    package static func outputItems(of completion: JSONValue, makeID: ResponsesIDMaker) -> [JSONValue] {
        let message = completion["choices"]?.array?.first?["message"]
        var output: [JSONValue] = []
        let text = message?["content"]?.string ?? ""
        if !text.isEmpty { output.append(messageItem(id: makeID("msg"), text: text, status: "completed")) }
        if let refusal = message?["refusal"]?.string, !refusal.isEmpty {
            output.append(
                ["type": "message", "id": .string(makeID("msg")), "status": "completed", "role": "assistant",
                 "content": [["type": "refusal", "refusal": .string(refusal)]]])
        }
        for call in message?["tool_calls"]?.array ?? [] {
            output.append(
                functionCallItem(
                    id: makeID("fc"), callID: call["id"]?.string ?? makeID("call"), name: call["function"]?["name"]?.string ?? "",
                    arguments: call["function"]?["arguments"]?.string ?? "", status: "completed"))
        }
        return output
    }

    /// Sets the terminal status a Chat finish reason implies.
    package static func finish(_ response: inout ResponseObject, reason: String?, now: Int) {
        switch reason {
        case "length"?:
            response.status = "incomplete"
            response.incompleteDetails = ["reason": "max_output_tokens"]
        case "content_filter"?:
            response.status = "incomplete"
            response.incompleteDetails = ["reason": "content_filter"]
        default:
            response.status = "completed"
        }
        response.completedAt = now
    }

    package static func messageItem(id: String, text: String, status: String, annotations: [JSONValue] = []) -> JSONValue {
        [
            "type": "message", "id": .string(id), "status": .string(status), "role": "assistant",
            "content": status == "in_progress" && text.isEmpty ? [] : [outputText(text, annotations: annotations)],
        ]
    }

    package static func outputText(_ text: String, annotations: [JSONValue] = []) -> JSONValue {
        ["type": "output_text", "text": .string(text), "annotations": .array(annotations), "logprobs": []]
    }

    package static func functionCallItem(id: String, callID: String, name: String, arguments: String, status: String) -> JSONValue {
        ["type": "function_call", "id": .string(id), "call_id": .string(callID), "name": .string(name), "arguments": .string(arguments),
         "status": .string(status)]
    }

    /// Chat usage in the Responses names.
    package static func usage(_ usage: JSONValue) -> JSONValue {
        let input = usage["prompt_tokens"]?.tokenCount ?? 0
        let output = usage["completion_tokens"]?.tokenCount ?? 0
        return [
            "input_tokens": .integer(Int64(input)),
            "input_tokens_details": ["cached_tokens": .integer(Int64(usage["prompt_tokens_details"]?["cached_tokens"]?.tokenCount ?? 0))],
            "output_tokens": .integer(Int64(output)),
            "output_tokens_details": ["reasoning_tokens": .integer(Int64(usage["completion_tokens_details"]?["reasoning_tokens"]?.tokenCount ?? 0))],
            "total_tokens": .integer(Int64(usage["total_tokens"]?.tokenCount ?? input + output)),
        ]
    }
}
