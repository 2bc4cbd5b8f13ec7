import Foundation
package import SwitchyardCore
package import SwitchyardWire

/// Translates an OpenAI Chat Completions request into an AWS Bedrock Converse request.
///
/// System messages become `system`; turns become `messages` of content blocks; tool calls become `toolUse` and
/// tool results `toolResult` blocks (JSON results as `json`, others as `text`); images become `image` blocks with
/// base64 bytes; limits and sampling go to `inferenceConfig`, tools to `toolConfig`. Bedrock takes images only as
/// bytes, so an image URL gets a 400.
package struct OpenAIRequestToBedrock {
    package init() {}

    package func translate(_ request: JSONValue) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var system: [JSONValue] = []
        var messages = AlternatingTurns()
        for (index, message) in (fields["messages"]?.array ?? []).enumerated() {
            let param = "messages[\(index)]"
            switch message["role"]?.string ?? "" {
            case "system", "developer":
                system.append(contentsOf: try blocks(message["content"], param: "\(param).content"))
            case "user":
                messages.append(try blocks(message["content"], param: "\(param).content"), role: "user")
            case "assistant":
                var content = try blocks(message["content"], param: "\(param).content")
                for (callIndex, call) in (message["tool_calls"]?.array ?? []).enumerated() {
                    let input = try HubRequestFields.toolArguments(call, param: "\(param).tool_calls[\(callIndex)].function.arguments")
                    content.append(["toolUse": ["toolUseId": call["id"] ?? "", "name": call["function"]?["name"] ?? "", "input": input]])
                }
                messages.append(content, role: "assistant")
            case "tool", "function":
                let result: JSONValue
                if let text = message["content"]?.string, let json = try? JSONValue(decoding: text), json.object != nil {
                    result = ["json": json]
                } else if let parts = message["content"]?.array {
                    result = ["text": .string(parts.compactMap { $0["text"]?.string }.joined(separator: "\n"))]
                } else {
                    result = ["text": message["content"] ?? ""]
                }
                messages.append([["toolResult": ["toolUseId": message["tool_call_id"] ?? "", "content": [result]]]], role: "user")
            case let role:
                throw .badRequest("\(param).role '\(role)' is not supported.", param: "\(param).role")
            }
        }
        var output: [String: JSONValue] = ["messages": messages.json(contentKey: "content")]
        if !system.isEmpty { output["system"] = .array(system) }

        var inference: [String: JSONValue] = [:]
        inference["maxTokens"] = HubRequestFields.maxTokens(fields)
        if let value = fields["temperature"], !value.isNull { inference["temperature"] = value }
        if let value = fields["top_p"], !value.isNull { inference["topP"] = value }
        inference["stopSequences"] = HubRequestFields.stopSequences(fields)
        if !inference.isEmpty { output["inferenceConfig"] = .object(inference) }

        if let tools = fields["tools"]?.array, !tools.isEmpty {
            var specs: [JSONValue] = []
            for (index, tool) in tools.enumerated() {
                guard tool["type"]?.string == "function", let function = tool["function"] else {
                    throw .badRequest("Only function tools can be sent to provider type bedrock.", param: "tools[\(index)].type")
                }
                var spec: [String: JSONValue] = ["name": function["name"] ?? "", "inputSchema": ["json": function["parameters"] ?? ["type": "object"]]]
                if let description = function["description"], !description.isNull { spec["description"] = description }
                specs.append(["toolSpec": .object(spec)])
            }
            var toolConfig: [String: JSONValue] = ["tools": .array(specs)]
            switch fields["tool_choice"] {
            case .string("required")?: toolConfig["toolChoice"] = ["any": [:]]
            case .string("auto")?: toolConfig["toolChoice"] = ["auto": [:]]
            case .object?:
                if let name = fields["tool_choice"]?["function"]?["name"] { toolConfig["toolChoice"] = ["tool": ["name": name]] }
            default: break
            }
            output["toolConfig"] = .object(toolConfig)
        }
        return .object(output)
    }

    private func blocks(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        try HubContentParts(provider: "bedrock").blocks(content, param: param) { part, param throws(GatewayError) in
            switch part {
            case .text(let text): return ["text": text]
            case .image(let url):
                guard let image = Base64DataURL(url), image.mediaType.hasPrefix("image/") else {
                    throw .badRequest("Provider type bedrock takes images as base64 data URLs only.", param: param)
                }
                let format = image.mediaType.dropFirst("image/".count)
                return ["image": ["format": .string(format == "jpg" ? "jpeg" : String(format)), "source": ["bytes": .string(image.data)]]]
            }
        }
    }
}
