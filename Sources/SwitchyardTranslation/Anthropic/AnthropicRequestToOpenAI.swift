package import SwitchyardCore
package import SwitchyardWire

/// Translates an Anthropic Messages request (a client of `/v1/messages`) into an OpenAI Chat Completions request.
///
/// `system` becomes the first message; `tool_result` blocks become `tool` messages placed right after the
/// assistant turn that called the tools; `tool_use` blocks become `tool_calls` with the same ids; images become
/// `image_url` parts; thinking blocks are kept in `thinking_blocks` so they reach an Anthropic upstream again.
/// Server tools (Anthropic-hosted, such as web search) have no OpenAI form: they get a 400 naming the tool.
package struct AnthropicRequestToOpenAI {
    package init() {}

    package func translate(_ request: JSONValue) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var output: [String: JSONValue] = ["model": fields["model"] ?? ""]
        var messages: [JSONValue] = []
        if let system = fields["system"], !system.isNull {
            messages.append(["role": "system", "content": Self.textContent(system)])
        }
        for (index, message) in (fields["messages"]?.array ?? []).enumerated() {
            let role = message["role"]?.string ?? ""
            switch role {
            case "user": messages.append(contentsOf: try userMessages(message["content"], param: "messages[\(index)].content"))
            case "assistant": messages.append(assistantMessage(message["content"]))
            default: throw .badRequest("messages[\(index)].role must be 'user' or 'assistant'.", param: "messages[\(index)].role")
            }
        }
        output["messages"] = .array(messages)
        // OpenAI's current name: its reasoning models refuse the older `max_tokens`.
        if let maxTokens = fields["max_tokens"], !maxTokens.isNull { output["max_completion_tokens"] = maxTokens }
        for key in ["temperature", "top_p", "stream"] where fields[key].map({ !$0.isNull }) ?? false { output[key] = fields[key] }
        if fields["stream"]?.bool == true { output["stream_options"] = ["include_usage": true] }
        if let stops = fields["stop_sequences"]?.array, !stops.isEmpty { output["stop"] = .array(stops) }
        if let user = fields["metadata"]?["user_id"], !user.isNull { output["user"] = user }
        if let tools = fields["tools"]?.array, !tools.isEmpty {
            var translated: [JSONValue] = []
            for (index, tool) in tools.enumerated() { translated.append(try self.tool(tool, param: "tools[\(index)]")) }
            output["tools"] = .array(translated)
        }
        if let choice = fields["tool_choice"]?.object {
            switch choice["type"]?.string {
            case "any": output["tool_choice"] = "required"
            case "none": output["tool_choice"] = "none"
            case "tool": output["tool_choice"] = ["type": "function", "function": ["name": choice["name"] ?? ""]]
            default: output["tool_choice"] = "auto"
            }
            if choice["disable_parallel_tool_use"]?.bool == true { output["parallel_tool_calls"] = false }
        }
        return .object(output)
    }

    /// A user turn: its tool results first, as `tool` messages, then the rest as one user message.
    private func userMessages(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        guard case .array(let blocks)? = content else { return [["role": "user", "content": content ?? ""]] }
        var toolMessages: [JSONValue] = []
        var parts: [JSONValue] = []
        for (index, block) in blocks.enumerated() {
            switch block["type"]?.string {
            case "tool_result":
                var text = Self.textContent(block["content"] ?? "")
                if block["is_error"]?.bool == true, let plain = text.string { text = .string("Error: \(plain)") }
                toolMessages.append(["role": "tool", "tool_call_id": block["tool_use_id"] ?? "", "content": text])
            case "text":
                parts.append(Self.keepingCache(["type": "text", "text": block["text"] ?? ""], from: block))
            case "image":
                parts.append(Self.keepingCache(try image(block["source"], param: "\(param)[\(index)].source"), from: block))
            case "document":
                let source = block["source"] ?? [:]
                guard source["type"]?.string == "base64", let data = source["data"]?.string else {
                    throw .badRequest("Only base64 documents can be translated.", param: "\(param)[\(index)].source")
                }
                let mediaType = source["media_type"]?.string ?? "application/pdf"
                parts.append(["type": "file", "file": ["file_data": .string("data:\(mediaType);base64,\(data)")]])
            default:
                let type = block["type"]?.string ?? "?"
                throw .badRequest("Content block type '\(type)' cannot be translated for this model.", param: "\(param)[\(index)].type")
            }
        }
        if !parts.isEmpty {
            let onlyText = parts.allSatisfy { $0["type"]?.string == "text" && $0["cache_control"] == nil }
            let content: JSONValue = onlyText ? .string(parts.compactMap { $0["text"]?.string }.joined(separator: "\n")) : .array(parts)
            toolMessages.append(["role": "user", "content": content])
        }
        return toolMessages
    }

    private func assistantMessage(_ content: JSONValue?) -> JSONValue {
        guard case .array(let blocks)? = content else { return ["role": "assistant", "content": content ?? ""] }
        var text = ""
        var toolCalls: [JSONValue] = []
        var thinking: [JSONValue] = []
        for block in blocks {
            switch block["type"]?.string {
            case "text": text += block["text"]?.string ?? ""
            case "tool_use":
                toolCalls.append([
                    "id": block["id"] ?? "", "type": "function",
                    "function": ["name": block["name"] ?? "", "arguments": .string((block["input"] ?? [:]).jsonText)],
                ])
            case "thinking", "redacted_thinking": thinking.append(block)
            default: break
            }
        }
        var message: [String: JSONValue] = ["role": "assistant", "content": text.isEmpty && !toolCalls.isEmpty ? .null : .string(text)]
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
        if !thinking.isEmpty { message["thinking_blocks"] = .array(thinking) }
        return .object(message)
    }

    private func image(_ source: JSONValue?, param: String) throws(GatewayError) -> JSONValue {
        switch source?["type"]?.string {
        case "base64":
            let mediaType = source?["media_type"]?.string ?? "image/png"
            let data = source?["data"]?.string ?? ""
            return ["type": "image_url", "image_url": ["url": .string("data:\(mediaType);base64,\(data)")]]
        case "url":
            return ["type": "image_url", "image_url": ["url": source?["url"] ?? ""]]
        default:
            throw .badRequest("Image sources must be base64 or url.", param: param)
        }
    }

    private func tool(_ tool: JSONValue, param: String) throws(GatewayError) -> JSONValue {
        if let type = tool["type"]?.string, type != "custom" {
            throw .badRequest(
                "The server tool '\(tool["name"]?.string ?? type)' (\(type)) runs only on Anthropic's own models.", param: "\(param).type")
        }
        var function: [String: JSONValue] = ["name": tool["name"] ?? "", "parameters": tool["input_schema"] ?? ["type": "object"]]
        if let description = tool["description"], !description.isNull { function["description"] = description }
        return ["type": "function", "function": .object(function)]
    }

    /// A string, or text parts when any block carries `cache_control` (so it survives to an Anthropic upstream).
    static func textContent(_ content: JSONValue) -> JSONValue {
        guard case .array(let blocks) = content else { return content }
        let texts = blocks.filter { $0["type"]?.string == "text" }
        if texts.contains(where: { $0["cache_control"] != nil }) {
            return .array(texts.map { keepingCache(["type": "text", "text": $0["text"] ?? ""], from: $0) })
        }
        return .string(texts.compactMap { $0["text"]?.string }.joined(separator: "\n"))
    }

    static func keepingCache(_ part: JSONValue, from block: JSONValue) -> JSONValue {
        guard let cache = block["cache_control"], case .object(var fields) = part else { return part }
        fields["cache_control"] = cache
        return .object(fields)
    }
}
