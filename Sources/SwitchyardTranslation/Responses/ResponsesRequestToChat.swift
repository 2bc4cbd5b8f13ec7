package import SwitchyardCore
package import SwitchyardWire

/// Makes the ids of Responses objects: `resp_…`, `msg_…`, `fc_…`. Injected so tests can fix them.
public typealias ResponsesIDMaker = @Sendable (_ prefix: String) -> String

/// Reads an OpenAI Responses request: its input items, and the Chat Completions request (the hub) that carries
/// it to any upstream.
///
/// - `input` as a string is one user message; as items: messages (roles user, system, developer, assistant; parts
///   `input_text`, `input_image`, `output_text`), `function_call`, `function_call_output`, and `reasoning` items
///   (kept in the conversation's record, not sent: Chat Completions has no place for them).
/// - `instructions` lead as a system message; with `previous_response_id`, the earlier turns' items come first.
/// - Function tools, `tool_choice`, `parallel_tool_calls`, `text.format` (`json_schema`, `json_object`),
///   `max_output_tokens`, `temperature`, `top_p`, `user` and `reasoning.effort` map to their Chat forms.
/// - Tools the gateway cannot serve (OpenAI-hosted ones such as `web_search`; `file_search` unless `servedTools`) get a 400 naming
///   the tool: the gateway never runs a tool.
package struct ResponsesRequestToChat {
    /// Hosted tool types the gateway serves itself for this request (`file_search` over its vector stores): left out
    /// of the hub request, as is a `tool_choice` naming them.
    package var servedTools: Set<String>

    package init(servedTools: Set<String> = []) {
        self.servedTools = servedTools
    }

    /// The tool types OpenAI hosts, which no gateway upstream can run.
    package static let hostedToolTypes: Set<String> = [
        "web_search", "web_search_preview", "file_search", "computer_use_preview", "computer_use", "code_interpreter", "image_generation",
        "mcp", "local_shell", "shell", "apply_patch", "custom",
    ]

    /// The longest item id accepted.
    package static let maximumItemIDBytes = 256

    /// The input item types the gateway reads.
    package static let inputItemTypes = ["message", "function_call", "function_call_output", "reasoning", "file_search_call"]

    /// Request fields carried to the Chat request as they are, by their Chat names.
    package static let carriedFields: [String: String] = [
        "max_output_tokens": "max_completion_tokens", "temperature": "temperature", "top_p": "top_p",
        "parallel_tool_calls": "parallel_tool_calls", "user": "user", "safety_identifier": "safety_identifier",
    ]

    /// The `text.format` types the gateway maps to `response_format`.
    package static let textFormats = ["text", "json_object", "json_schema"]

    /// The request's own input as items, each with an id where the item type has one.
    package func inputItems(_ request: JSONValue, makeID: ResponsesIDMaker) throws(GatewayError) -> [JSONValue] {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        switch fields["input"] {
        case .string(let text)?:
            return [Self.userMessage(text, id: makeID("msg"))]
        case .array(let items)?:
            var normalized: [JSONValue] = []
            for (index, item) in items.enumerated() { normalized.append(try Self.normalize(item, param: "input[\(index)]", makeID: makeID)) }
            return normalized
        case nil, .null?:
            throw .badRequest("'input' is required: a string or a list of input items.", param: "input")
        default:
            throw .badRequest("'input' must be a string or a list of input items.", param: "input")
        }
    }

    /// The hub request: `instructions`, then `history` (the earlier turns' input and output items), then `items`.
    package func translate(_ request: JSONValue, history: [JSONValue], items: [JSONValue]) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var output: [String: JSONValue] = ["model": fields["model"] ?? ""]
        var messages: [JSONValue] = []
        if let instructions = fields["instructions"]?.string, !instructions.isEmpty {
            messages.append(["role": "system", "content": .string(instructions)])
        }
        messages += Self.messages(from: history + items)
        output["messages"] = .array(messages)
        for (key, chatName) in Self.carriedFields where fields[key].map({ !$0.isNull }) ?? false { output[chatName] = fields[key] }
        if let effort = fields["reasoning"]?["effort"], !effort.isNull { output["reasoning_effort"] = effort }
        if let tools = fields["tools"]?.array, !tools.isEmpty {
            var translated: [JSONValue] = []
            for (index, tool) in tools.enumerated() where !servedTools.contains(tool["type"]?.string ?? "") {
                translated.append(try Self.tool(tool, param: "tools[\(index)]"))
            }
            if !translated.isEmpty { output["tools"] = .array(translated) }
        }
        if let choice = fields["tool_choice"], !choice.isNull, !servedTools.contains(choice["type"]?.string ?? "") {
            let chosen = try Self.toolChoice(choice)
            // With only served tools, nothing is left for a choice to apply to.
            if output["tools"] != nil || servedTools.isEmpty { output["tool_choice"] = chosen }
        }
        if let format = fields["text"]?["format"], !format.isNull, let responseFormat = try Self.responseFormat(format) {
            output["response_format"] = responseFormat
        }
        return .object(output)
    }

    // MARK: Items

    static func userMessage(_ text: String, id: String) -> JSONValue {
        ["type": "message", "id": .string(id), "role": "user", "content": [["type": "input_text", "text": .string(text)]]]
    }

    /// An input item with its `type` spelled out, its content as parts, and an id.
    package static func normalize(_ item: JSONValue, param: String, makeID: ResponsesIDMaker) throws(GatewayError) -> JSONValue {
        guard var fields = item.object else { throw .badRequest("\(param) must be an object.", param: param) }
        let type = fields["type"]?.string ?? (fields["role"] != nil ? "message" : "")
        if type == "item_reference" { throw .badRequest("\(param): item references are not supported; send the item itself.", param: param) }
        if let id = fields["id"], !id.isNull {
            guard let text = id.string, !text.isEmpty, text.utf8.count <= maximumItemIDBytes, text.isStorableName else {
                throw .badRequest("\(param).id must be a string of 1 to \(maximumItemIDBytes) bytes, without NUL.", param: "\(param).id")
            }
        }
        guard inputItemTypes.contains(type) else {
            throw .badRequest(
                "\(param).type '\(type)' is not supported; expected one of: \(inputItemTypes.joined(separator: ", ")).", param: "\(param).type")
        }
        switch type {
        case "message":
            guard let role = fields["role"]?.string, ["user", "system", "developer", "assistant"].contains(role) else {
                throw .badRequest("\(param).role must be 'user', 'system', 'developer' or 'assistant'.", param: "\(param).role")
            }
            fields["type"] = "message"
            let textType = role == "assistant" ? "output_text" : "input_text"
            switch fields["content"] {
            case .string(let text)?:
                fields["content"] = [["type": .string(textType), "text": .string(text)]]
            case .array(let parts)?:
                for (index, part) in parts.enumerated() {
                    let partType = part["type"]?.string ?? ""
                    guard ["input_text", "output_text", "input_image", "refusal"].contains(partType) else {
                        throw .badRequest(
                            "\(param).content[\(index)].type '\(partType)' is not supported; use input_text, input_image or output_text.",
                            param: "\(param).content[\(index)].type")
                    }
                }
            default:
                throw .badRequest("\(param).content must be a string or a list of content parts.", param: "\(param).content")
            }
            if fields["id"] == nil { fields["id"] = .string(makeID("msg")) }
        case "function_call":
            guard fields["call_id"]?.string != nil, fields["name"]?.string != nil else {
                throw .badRequest("\(param) (function_call) needs 'call_id' and 'name'.", param: param)
            }
            if fields["arguments"]?.string == nil { fields["arguments"] = "{}" }
            if fields["id"] == nil { fields["id"] = .string(makeID("fc")) }
            if fields["status"] == nil { fields["status"] = "completed" }
        case "function_call_output":
            guard fields["call_id"]?.string != nil else {
                throw .badRequest("\(param) (function_call_output) needs 'call_id'.", param: "\(param).call_id")
            }
            guard fields["output"] != nil else { throw .badRequest("\(param) (function_call_output) needs 'output'.", param: "\(param).output") }
            if fields["id"] == nil { fields["id"] = .string(makeID("fco")) }
            if fields["status"] == nil { fields["status"] = "completed" }
        default:
            break  // reasoning and file_search_call: kept as they came, not sent
        }
        return .object(fields)
    }

    /// Chat messages for input and output items, in order. Consecutive function calls join one assistant message,
    /// after that turn's text; reasoning items are not sent.
    package static func messages(from items: [JSONValue]) -> [JSONValue] {
        var messages: [JSONValue] = []
        var pendingCalls: [JSONValue] = []
        var pendingText: String?
        func flushAssistant() {
            guard pendingText != nil || !pendingCalls.isEmpty else { return }
            var message: [String: JSONValue] = ["role": "assistant", "content": pendingText.map(JSONValue.string) ?? .null]
            if !pendingCalls.isEmpty { message["tool_calls"] = .array(pendingCalls) }
            messages.append(.object(message))
            pendingCalls = []
            pendingText = nil
        }
        for item in items {
            switch item["type"]?.string {
            case "message":
                let role = item["role"]?.string ?? "user"
                if role == "assistant" {
                    if !pendingCalls.isEmpty { flushAssistant() }
                    pendingText = (pendingText ?? "") + text(of: item["content"])
                    continue
                }
                flushAssistant()
                messages.append(["role": .string(role == "developer" ? "system" : role), "content": content(of: item["content"], role: role)])
            case "function_call":
                pendingCalls.append([
                    "id": item["call_id"] ?? "", "type": "function",
                    "function": ["name": item["name"] ?? "", "arguments": item["arguments"] ?? "{}"],
                ])
            case "function_call_output":
                flushAssistant()
                let output = item["output"]
                messages.append(["role": "tool", "tool_call_id": item["call_id"] ?? "", "content": .string(output?.string ?? text(of: output))])
            default:
                continue
            }
        }
        flushAssistant()
        return messages
    }

    /// User and system content: plain text when it is only text, else Chat parts.
    private static func content(of content: JSONValue?, role: String) -> JSONValue {
        let parts = content?.array ?? []
        if role != "user" || parts.allSatisfy({ $0["type"]?.string != "input_image" }) { return .string(text(of: content)) }
        return .array(
            parts.map { part -> JSONValue in
                if part["type"]?.string == "input_image" {
                    var image: [String: JSONValue] = ["url": part["image_url"] ?? ""]
                    if let detail = part["detail"], !detail.isNull { image["detail"] = detail }
                    return ["type": "image_url", "image_url": .object(image)]
                }
                return ["type": "text", "text": part["text"] ?? ""]
            })
    }

    /// The text of a string or of a list of text parts.
    static func text(of content: JSONValue?) -> String {
        if let text = content?.string { return text }
        return (content?.array ?? []).compactMap { $0["text"]?.string ?? $0["refusal"]?.string }.joined()
    }

    // MARK: Tools and formats

    static func tool(_ tool: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        let type = tool["type"]?.string ?? ""
        guard type == "function" else {
            if hostedToolTypes.contains(type) {
                throw .badRequest(
                    "The tool '\(type)' is hosted by OpenAI and cannot be served by this gateway, which never runs tools; "
                        + "use function tools and run them in your application.", param: "\(param).type")
            }
            throw .badRequest("\(param).type '\(type)' is not supported; only function tools are.", param: "\(param).type")
        }
        guard let name = tool["name"]?.string, !name.isEmpty else { throw .badRequest("\(param).name is required.", param: "\(param).name") }
        var function: [String: JSONValue] = ["name": .string(name)]
        for key in ["description", "parameters", "strict"] where tool[key].map({ !$0.isNull }) ?? false { function[key] = tool[key] }
        return ["type": "function", "function": .object(function)]
    }

    static func toolChoice(_ choice: JSONValue) throws(GatewayError) -> JSONValue {
        if let mode = choice.string {
            guard ["auto", "none", "required"].contains(mode) else {
                throw .badRequest("'tool_choice' must be auto, none, required or a function.", param: "tool_choice")
            }
            return choice
        }
        guard choice["type"]?.string == "function", let name = choice["name"]?.string else {
            throw .badRequest("'tool_choice' of type '\(choice["type"]?.string ?? "")' is not supported; name a function tool.", param: "tool_choice")
        }
        return ["type": "function", "function": ["name": .string(name)]]
    }

    static func responseFormat(_ format: JSONValue) throws(GatewayError) -> JSONValue? {
        switch format["type"]?.string {
        case "text"?: return nil
        case "json_object"?: return ["type": "json_object"]
        case "json_schema"?:
            guard let name = format["name"]?.string, let schema = format["schema"] else {
                throw .badRequest("'text.format' of type json_schema needs 'name' and 'schema'.", param: "text.format")
            }
            var jsonSchema: [String: JSONValue] = ["name": .string(name), "schema": schema]
            for key in ["strict", "description"] where format[key].map({ !$0.isNull }) ?? false { jsonSchema[key] = format[key] }
            return ["type": "json_schema", "json_schema": .object(jsonSchema)]
        default:
            throw .badRequest("'text.format.type' must be one of: \(textFormats.joined(separator: ", ")).", param: "text.format.type")
        }
    }
}
