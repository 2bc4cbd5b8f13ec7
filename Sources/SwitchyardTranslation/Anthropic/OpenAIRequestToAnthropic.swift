public import SwitchyardCore
public import SwitchyardWire

/// Translates an OpenAI Chat Completions request into an Anthropic Messages request.
///
/// System and developer messages are hoisted into `system`; tool results become `tool_result` blocks in user
/// turns; assistant tool calls become `tool_use` blocks; images become `image` blocks (base64 or URL);
/// consecutive turns of one role are merged, as Anthropic requires alternation. `max_tokens` is always set.
/// Fields with no Anthropic equivalent are dropped (see the README's mapping table); a request that cannot be
/// expressed at all gets a 400 naming the field.
public struct OpenAIRequestToAnthropic {
    /// Sent when the client sets no limit: Anthropic requires one.
    package static let defaultMaxTokens: Int64 = 4096

    public init() {}

    public func translate(_ request: JSONValue, model: String) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var output: [String: JSONValue] = ["model": .string(model)]

        var system: [JSONValue] = []
        var messages = AlternatingTurns()
        for (index, message) in (fields["messages"]?.array ?? []).enumerated() {
            let role = message["role"]?.string ?? ""
            switch role {
            case "system", "developer":
                system.append(contentsOf: try textBlocks(message["content"], param: "messages[\(index)].content"))
            case "user":
                messages.append(try userBlocks(message["content"], param: "messages[\(index)].content"), role: "user")
            case "assistant":
                messages.append(try assistantBlocks(message, param: "messages[\(index)]"), role: "assistant")
            case "tool", "function":
                messages.append([toolResult(message)], role: "user")
            default:
                throw .badRequest("messages[\(index)].role '\(role)' is not supported.", param: "messages[\(index)].role")
            }
        }
        if !system.isEmpty { output["system"] = Self.collapse(system) }
        output["messages"] = messages.json(contentKey: "content")

        if let n = fields["n"]?.int, n > 1 {
            throw .badRequest("Provider type anthropic returns one choice; 'n' must be 1.", param: "n")
        }
        output["max_tokens"] = HubRequestFields.maxTokens(fields) ?? .integer(Self.defaultMaxTokens)
        for key in ["temperature", "top_p", "top_k"] where fields[key].map({ !$0.isNull }) ?? false {
            output[key] = fields[key]
        }
        output["stop_sequences"] = HubRequestFields.stopSequences(fields)
        if let user = fields["user"]?.string { output["metadata"] = ["user_id": .string(user)] }
        if let thinking = fields["thinking"], !thinking.isNull { output["thinking"] = thinking }

        if let tools = fields["tools"]?.array, !tools.isEmpty {
            var translated: [JSONValue] = []
            for (index, entry) in tools.enumerated() { translated.append(try tool(entry, param: "tools[\(index)]")) }
            output["tools"] = .array(translated)
        }
        if let choice = try toolChoice(fields["tool_choice"], parallel: fields["parallel_tool_calls"]?.bool) {
            output["tool_choice"] = choice
        }
        return .object(output)
    }

    // MARK: Messages

    /// Text-only content (system prompts): a string or text parts, `cache_control` kept.
    private func textBlocks(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        switch content {
        case .string(let text)?: return text.isEmpty ? [] : [["type": "text", "text": .string(text)]]
        case .array(let parts)?:
            return try parts.map { part throws(GatewayError) in
                guard part["type"]?.string == "text", let text = part["text"] else {
                    throw .badRequest("\(param) may hold only text parts.", param: param)
                }
                return Self.block(["type": "text", "text": text], cacheControl: part["cache_control"])
            }
        default: return []
        }
    }

    private func userBlocks(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        guard case .array(let parts)? = content else { return try textBlocks(content, param: param) }
        return try parts.enumerated().map { index, part throws(GatewayError) in
            switch part["type"]?.string {
            case "text":
                return Self.block(["type": "text", "text": part["text"] ?? ""], cacheControl: part["cache_control"])
            case "image_url":
                let url = part["image_url"]?["url"]?.string ?? part["image_url"]?.string ?? ""
                return Self.block(try image(url, param: "\(param)[\(index)].image_url.url"), cacheControl: part["cache_control"])
            default:
                let type = part["type"]?.string ?? "?"
                throw .badRequest("Content part type '\(type)' cannot be sent to provider type anthropic.", param: "\(param)[\(index)].type")
            }
        }
    }

    /// `data:` URLs become base64 sources; other URLs are passed by reference.
    private func image(_ url: String, param: String) throws(GatewayError) -> JSONValue {
        if url.hasPrefix("data:") {
            guard let image = Base64DataURL(url) else { throw .badRequest("Image data URLs must be base64 encoded.", param: param) }
            return ["type": "image", "source": ["type": "base64", "media_type": .string(image.mediaType), "data": .string(image.data)]]
        }
        return ["type": "image", "source": ["type": "url", "url": .string(url)]]
    }

    private func assistantBlocks(_ message: JSONValue, param: String) throws(GatewayError) -> [JSONValue] {
        var blocks: [JSONValue] = []
        // Thinking blocks come back from clients exactly as the gateway gave them out (with their signatures).
        for thinking in message["thinking_blocks"]?.array ?? [] { blocks.append(thinking) }
        blocks.append(contentsOf: try textBlocks(message["content"], param: "\(param).content"))
        for (index, call) in (message["tool_calls"]?.array ?? []).enumerated() {
            let input = try HubRequestFields.toolArguments(call, param: "\(param).tool_calls[\(index)].function.arguments")
            blocks.append([
                "type": "tool_use", "id": call["id"] ?? "", "name": call["function"]?["name"] ?? "", "input": input,
            ])
        }
        return blocks
    }

    private func toolResult(_ message: JSONValue) -> JSONValue {
        var result: [String: JSONValue] = ["type": "tool_result", "tool_use_id": message["tool_call_id"] ?? message["name"] ?? ""]
        switch message["content"] {
        case .array(let parts)?:
            result["content"] = .array(parts.map { part in
                part["type"]?.string == "text" ? Self.block(["type": "text", "text": part["text"] ?? ""], cacheControl: part["cache_control"]) : part
            })
        case let content?: result["content"] = content.string.map(JSONValue.string) ?? .string(content.jsonText)
        case nil: result["content"] = ""
        }
        return .object(result)
    }

    // MARK: Tools

    private func tool(_ tool: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        guard tool["type"]?.string == "function", let function = tool["function"] else {
            throw .badRequest("Only function tools can be sent to provider type anthropic.", param: "\(param).type")
        }
        var output: [String: JSONValue] = [
            "name": function["name"] ?? "",
            "input_schema": function["parameters"] ?? ["type": "object", "properties": [:]],
        ]
        if let description = function["description"], !description.isNull { output["description"] = description }
        if let cache = tool["cache_control"] { output["cache_control"] = cache }
        return .object(output)
    }

    private func toolChoice(_ choice: JSONValue?, parallel: Bool?) throws(GatewayError) -> JSONValue? {
        var output: [String: JSONValue]
        switch choice {
        case .string("auto")?, nil: output = ["type": "auto"]
        case .string("none")?: output = ["type": "none"]
        case .string("required")?: output = ["type": "any"]
        case .object(let object)?:
            guard let name = object["function"]?["name"]?.string else {
                throw .badRequest("tool_choice must name a function.", param: "tool_choice")
            }
            output = ["type": "tool", "name": .string(name)]
        default:
            throw .badRequest("tool_choice must be 'auto', 'none', 'required' or a function.", param: "tool_choice")
        }
        if parallel == false { output["disable_parallel_tool_use"] = true }
        if choice == nil && parallel != false { return nil }
        return .object(output)
    }

    // MARK: Helpers

    private static func block(_ block: JSONValue, cacheControl: JSONValue?) -> JSONValue {
        guard let cacheControl, case .object(var fields) = block else { return block }
        fields["cache_control"] = cacheControl
        return .object(fields)
    }

    /// One plain string when the system prompt is a single uncached text block; the blocks otherwise.
    private static func collapse(_ blocks: [JSONValue]) -> JSONValue {
        if blocks.count == 1, blocks[0]["cache_control"] == nil, let text = blocks[0]["text"] { return text }
        return .array(blocks)
    }

}
