import Foundation
package import SwitchyardCore
package import SwitchyardWire

/// Translates an OpenAI Chat Completions request into Ollama's native `/api/chat` request.
///
/// Images become base64 `images` on their message; tool calls carry their arguments as objects; tool results
/// are named after the call they answer; sampling options go to `options`; `response_format` becomes `format`.
package struct OpenAIRequestToOllama {
    package init() {}

    package func translate(_ request: JSONValue, model: String, stream: Bool) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var messages: [JSONValue] = []
        var toolNames: [String: String] = [:]
        for (index, message) in (fields["messages"]?.array ?? []).enumerated() {
            let param = "messages[\(index)]"
            var role = message["role"]?.string ?? "user"
            if role == "developer" { role = "system" }
            var output: [String: JSONValue] = ["role": .string(role)]
            var text = ""
            var images: [JSONValue] = []
            switch message["content"] {
            case .string(let value)?: text = value
            case .array(let parts)?:
                for (partIndex, part) in parts.enumerated() {
                    switch part["type"]?.string {
                    case "text": text += part["text"]?.string ?? ""
                    case "image_url":
                        let url = part["image_url"]?["url"]?.string ?? ""
                        guard let image = Base64DataURL(url) else {
                            throw .badRequest("Provider type ollama takes images as base64 data URLs only.", param: "\(param).content[\(partIndex)].image_url.url")
                        }
                        images.append(.string(image.data))
                    default:
                        throw .badRequest(
                            "Content part type '\(part["type"]?.string ?? "?")' cannot be sent to provider type ollama.",
                            param: "\(param).content[\(partIndex)].type")
                    }
                }
            default: break
            }
            output["content"] = .string(text)
            if !images.isEmpty { output["images"] = .array(images) }
            if let calls = message["tool_calls"]?.array, !calls.isEmpty {
                var translated: [JSONValue] = []
                for (callIndex, call) in calls.enumerated() {
                    let name = call["function"]?["name"]?.string ?? ""
                    if let id = call["id"]?.string { toolNames[id] = name }
                    let arguments = try HubRequestFields.toolArguments(call, param: "\(param).tool_calls[\(callIndex)].function.arguments")
                    translated.append(["function": ["name": .string(name), "arguments": arguments]])
                }
                output["tool_calls"] = .array(translated)
            }
            if role == "tool", let id = message["tool_call_id"]?.string, let name = toolNames[id] { output["tool_name"] = .string(name) }
            messages.append(.object(output))
        }
        var output: [String: JSONValue] = ["model": .string(model), "messages": .array(messages), "stream": .bool(stream)]
        var options: [String: JSONValue] = [:]
        for (openAI, ollama) in [("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k"), ("seed", "seed"),
            ("presence_penalty", "presence_penalty"), ("frequency_penalty", "frequency_penalty")]
        {
            if let value = fields[openAI], !value.isNull { options[ollama] = value }
        }
        options["num_predict"] = HubRequestFields.maxTokens(fields)
        options["stop"] = HubRequestFields.stopSequences(fields)
        if !options.isEmpty { output["options"] = .object(options) }
        switch fields["response_format"]?["type"]?.string {
        case "json_object"?: output["format"] = "json"
        case "json_schema"?: output["format"] = fields["response_format"]?["json_schema"]?["schema"] ?? "json"
        default: break
        }
        if let tools = fields["tools"]?.array, !tools.isEmpty { output["tools"] = .array(tools) }
        if let effort = fields["reasoning_effort"]?.string { output["think"] = .bool(effort != "none") }
        return .object(output)
    }
}
