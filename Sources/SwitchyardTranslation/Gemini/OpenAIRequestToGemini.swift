public import SwitchyardCore
public import SwitchyardWire

/// Translates an OpenAI Chat Completions request into a Gemini `generateContent` request.
///
/// System and developer messages become `systemInstruction`; turns become `contents` with roles `user` and
/// `model`; tool calls become `functionCall` parts and tool results `functionResponse` parts (named after the call
/// they answer, ids kept); images become `inlineData` or `fileData`; sampling options go to `generationConfig`,
/// `response_format` to `responseMimeType`/`responseSchema`. A request that cannot be expressed gets a 400 naming
/// the field.
public struct OpenAIRequestToGemini {
    public init() {}

    public func translate(_ request: JSONValue) throws(GatewayError) -> JSONValue {
        guard let fields = request.object else { throw .badRequest("The request body must be a JSON object.") }
        var output: [String: JSONValue] = [:]
        var system: [JSONValue] = []
        var contents = AlternatingTurns()
        var toolNames: [String: String] = [:]

        for (index, message) in (fields["messages"]?.array ?? []).enumerated() {
            let param = "messages[\(index)]"
            switch message["role"]?.string ?? "" {
            case "system", "developer":
                system.append(contentsOf: try parts(message["content"], param: "\(param).content"))
            case "user":
                contents.append(try parts(message["content"], param: "\(param).content"), role: "user")
            case "assistant":
                var assistant = try parts(message["content"], param: "\(param).content")
                for (callIndex, call) in (message["tool_calls"]?.array ?? []).enumerated() {
                    let name = call["function"]?["name"]?.string ?? ""
                    let id = call["id"]?.string ?? ""
                    toolNames[id] = name
                    let arguments = try HubRequestFields.toolArguments(call, param: "\(param).tool_calls[\(callIndex)].function.arguments")
                    var functionCall: [String: JSONValue] = ["name": .string(name), "args": arguments]
                    if !id.isEmpty { functionCall["id"] = .string(id) }
                    assistant.append(["functionCall": .object(functionCall)])
                }
                contents.append(assistant, role: "model")
            case "tool", "function":
                let id = message["tool_call_id"]?.string ?? ""
                let name = toolNames[id] ?? message["name"]?.string ?? id
                var functionResponse: [String: JSONValue] = ["name": .string(name), "response": Self.responseObject(message["content"])]
                if !id.isEmpty { functionResponse["id"] = .string(id) }
                contents.append([["functionResponse": .object(functionResponse)]], role: "user")
            case let role:
                throw .badRequest("\(param).role '\(role)' is not supported.", param: "\(param).role")
            }
        }
        output["contents"] = contents.json(contentKey: "parts")
        if !system.isEmpty { output["systemInstruction"] = ["parts": .array(system)] }

        var config: [String: JSONValue] = [:]
        let renames = [
            ("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK"), ("seed", "seed"),
            ("presence_penalty", "presencePenalty"), ("frequency_penalty", "frequencyPenalty"), ("n", "candidateCount"),
        ]
        for (openAI, gemini) in renames { if let value = fields[openAI], !value.isNull { config[gemini] = value } }
        config["maxOutputTokens"] = HubRequestFields.maxTokens(fields)
        config["stopSequences"] = HubRequestFields.stopSequences(fields)
        switch fields["response_format"]?["type"]?.string {
        case "json_object"?:
            config["responseMimeType"] = "application/json"
        case "json_schema"?:
            config["responseMimeType"] = "application/json"
            if let schema = fields["response_format"]?["json_schema"]?["schema"] { config["responseSchema"] = Self.openAPISchema(schema) }
        default: break
        }
        if !config.isEmpty { output["generationConfig"] = .object(config) }

        if let tools = fields["tools"]?.array, !tools.isEmpty {
            var declarations: [JSONValue] = []
            for (index, tool) in tools.enumerated() {
                guard tool["type"]?.string == "function", let function = tool["function"] else {
                    throw .badRequest("Only function tools can be sent to provider type gemini.", param: "tools[\(index)].type")
                }
                var declaration: [String: JSONValue] = ["name": function["name"] ?? ""]
                if let description = function["description"], !description.isNull { declaration["description"] = description }
                if let parameters = function["parameters"], !parameters.isNull { declaration["parameters"] = Self.openAPISchema(parameters) }
                declarations.append(.object(declaration))
            }
            output["tools"] = [["functionDeclarations": .array(declarations)]]
        }
        if let choice = fields["tool_choice"] {
            switch choice {
            case .string("none"): output["toolConfig"] = ["functionCallingConfig": ["mode": "NONE"]]
            case .string("required"): output["toolConfig"] = ["functionCallingConfig": ["mode": "ANY"]]
            case .string("auto"): output["toolConfig"] = ["functionCallingConfig": ["mode": "AUTO"]]
            case .object:
                guard let name = choice["function"]?["name"] else { throw .badRequest("tool_choice must name a function.", param: "tool_choice") }
                output["toolConfig"] = ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": [name]]]
            default: throw .badRequest("tool_choice must be 'auto', 'none', 'required' or a function.", param: "tool_choice")
            }
        }
        return .object(output)
    }

    private func parts(_ content: JSONValue?, param: String) throws(GatewayError) -> [JSONValue] {
        try HubContentParts(provider: "gemini").blocks(content, param: param) { part, _ in
            switch part {
            case .text(let text): return ["text": text]
            case .image(let url):
                if let image = Base64DataURL(url) {
                    return ["inlineData": ["mimeType": .string(image.mediaType), "data": .string(image.data)]]
                }
                return ["fileData": ["mimeType": .string(Self.mimeType(forURL: url)), "fileUri": .string(url)]]
            }
        }
    }

    /// Gemini wants an object as a function's response: a JSON object result is used as is, anything else is
    /// wrapped as `{"content": ...}`.
    static func responseObject(_ content: JSONValue?) -> JSONValue {
        switch content {
        case .string(let text)?:
            if let parsed = try? JSONValue(decoding: text), parsed.object != nil { return parsed }
            return ["content": .string(text)]
        case .array(let parts)?:
            return ["content": .string(parts.compactMap { $0["text"]?.string }.joined(separator: "\n"))]
        case let value?: return ["content": value]
        case nil: return ["content": ""]
        }
    }

    /// Gemini's schema dialect (an OpenAPI 3.0 subset) rejects some JSON Schema keywords; they are removed.
    static func openAPISchema(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let fields):
            var output: [String: JSONValue] = [:]
            for (key, value) in fields where !["additionalProperties", "$schema", "strict", "$id"].contains(key) {
                if key == "properties", case .object(let properties) = value {
                    // Property names are the user's, whatever they are called; only their schemas are cleaned.
                    output[key] = .object(properties.mapValues(openAPISchema))
                } else {
                    output[key] = openAPISchema(value)
                }
            }
            return .object(output)
        case .array(let items): return .array(items.map(openAPISchema))
        default: return schema
        }
    }

    static func mimeType(forURL url: String) -> String {
        let lower = url.lowercased()
        if lower.hasSuffix(".png") { return "image/png" }
        if lower.hasSuffix(".gif") { return "image/gif" }
        if lower.hasSuffix(".webp") { return "image/webp" }
        if lower.hasSuffix(".pdf") { return "application/pdf" }
        return "image/jpeg"
    }
}
