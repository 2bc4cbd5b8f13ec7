import SwitchyardCore
import SwitchyardPrompts
import SwitchyardWire

/// The Responses API's `prompt: {"id", "version"?, "variables"}`: the prompt's rendered system part goes before the
/// request's instructions, its rendered template before the request's input, and its model and parameters fill
/// what the request leaves out. Access, versions and attribution are as for `POST /v1/prompts/{name}/run`.
extension ResponsesService {
    func applying(prompt reference: JSONValue, to fields: [String: JSONValue], caller: Caller?, context: UpstreamContext) async throws -> [String: JSONValue] {
        guard let prompts else { throw GatewayError.badRequest("Prompt templates are not served by this gateway.", param: "prompt") }
        guard case .object(let members) = reference, let name = members["id"]?.string, !name.isEmpty else {
            throw GatewayError.badRequest("'prompt' must be an object with the prompt's 'id'.", param: "prompt.id")
        }
        let version = try PromptVersionNumber.parse(members["version"], param: "prompt.version")
        let run = try await prompts.runnable(name, version: version, caller: caller)
        context.journal?.update { summary in
            summary.prompt = run.prompt.name
            summary.promptVersion = run.version
        }
        let definition = run.definition
        let values = try definition.values(Self.variableValues(members["variables"]))
        var fields = fields
        if fields["model"].map(\.isNull) ?? true { fields["model"] = .string(definition.model) }
        if let system = definition.system {
            let rendered = PromptRenderer.render(system, values: values)
            let given = fields["instructions"]?.string ?? ""
            fields["instructions"] = .string(given.isEmpty ? rendered : rendered + "\n\n" + given)
        }
        let message: JSONValue = ["type": "message", "role": "user", "content": .string(PromptRenderer.render(definition.template, values: values))]
        switch fields["input"] {
        case .string(let text)?: fields["input"] = [message, ["type": "message", "role": "user", "content": .string(text)]]
        case .array(let items)?: fields["input"] = .array([message] + items)
        default: fields["input"] = [message]
        }
        for (parameter, value) in definition.parameters {
            let name = parameter == "max_tokens" || parameter == "max_completion_tokens" ? "max_output_tokens" : parameter
            guard ["temperature", "top_p", "max_output_tokens", "parallel_tool_calls", "metadata", "user"].contains(name) else { continue }
            if fields[name].map(\.isNull) ?? true { fields[name] = value }
        }
        if let format = definition.responseFormat, fields["text"] == nil { fields["text"] = ["format": Self.textFormat(format)] }
        if let tools = definition.tools?.array, fields["tools"] == nil { fields["tools"] = .array(tools.map(Self.responsesTool)) }
        return fields
    }

    /// The variables as strings where OpenAI's SDK sends input items (`{"type": "input_text", "text": …}`).
    static func variableValues(_ variables: JSONValue?) -> JSONValue? {
        guard case .object(let members)? = variables else { return variables }
        return .object(members.mapValues { value in value["type"]?.string == "input_text" ? (value["text"] ?? value) : value })
    }

    /// A Chat Completions `response_format` as the Responses API's `text.format`.
    static func textFormat(_ format: JSONValue) -> JSONValue {
        guard format["type"]?.string == "json_schema", case .object(let schema)? = format["json_schema"] else { return format }
        var flattened = schema
        flattened["type"] = "json_schema"
        return .object(flattened)
    }

    /// A Chat Completions function tool as the Responses API's (its `function` members one level up).
    static func responsesTool(_ tool: JSONValue) -> JSONValue {
        guard tool["type"]?.string == "function", case .object(let function)? = tool["function"] else { return tool }
        var flattened = function
        flattened["type"] = "function"
        return .object(flattened)
    }
}
