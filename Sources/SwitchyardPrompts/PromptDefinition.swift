public import SwitchyardCore
public import SwitchyardWire

/// A prompt template's definition, checked: the model it runs on, its system and user parts (Mustache templates),
/// its typed variables, and what else goes into the chat request (parameters, `response_format`, tools).
public struct PromptDefinition: Sendable, Equatable {
    public var model: String
    /// The system message's template, if any.
    public var system: String?
    /// The user message's template.
    public var template: String
    /// The variables, by name.
    public var variables: [PromptVariable]
    /// Chat request parameters (`temperature`, `max_tokens`, `top_p`, `stop` ...), sent as they are.
    public var parameters: [String: JSONValue]
    public var responseFormat: JSONValue?
    public var tools: JSONValue?
    public var toolChoice: JSONValue?
    /// The definition as given, as it is stored and shown.
    public var json: JSONValue

    /// The fields a definition may have.
    public static let fields: Set<String> = [
        "model", "template", "system", "variables", "parameters", "response_format", "tools", "tool_choice", "description",
    ]

    /// Chat request fields a template's `parameters` may not set: the gateway sets them from the run.
    static let reservedParameters: Set<String> = ["model", "messages", "stream", "stream_options", "tools", "tool_choice", "response_format"]

    /// Whether `name` can name a prompt (it appears in paths): letters, digits, `-`, `_` and `.`, starting with a
    /// letter or digit, at most 100 bytes.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 100 else { return false }
        let allowed = { (scalar: Unicode.Scalar) in
            scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
        }
        return allowed(first) && name.unicodeScalars.allSatisfy { allowed($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// Reads the definition fields of `json` (other fields, such as a prompt's lifecycle settings, are left to the
    /// caller).
    /// - Throws: 400 naming the field that is missing or wrong (`template`, `variables.text.type` ...).
    public init(json: JSONValue) throws(GatewayError) {
        guard case .object(let fields) = json else { throw .badRequest("A prompt definition must be a JSON object.") }
        guard let model = fields["model"]?.string, !model.isEmpty else {
            throw .badRequest("'model' is required: the configured model the prompt runs on.", param: "model")
        }
        guard let template = fields["template"]?.string, !template.isEmpty else {
            throw .badRequest("'template' is required: the user message, with {{variables}}.", param: "template")
        }
        self.model = model
        self.template = template
        try PromptRenderer.check(template, param: "template")
        if let system = fields["system"], !system.isNull {
            guard let text = system.string else { throw .badRequest("'system' must be a string.", param: "system") }
            try PromptRenderer.check(text, param: "system")
            self.system = text
        }
        var variables: [PromptVariable] = []
        if let declared = fields["variables"], !declared.isNull {
            guard case .object(let specs) = declared else {
                throw .badRequest("'variables' must be an object of variable name to its type.", param: "variables")
            }
            for (name, spec) in specs.sorted(by: { $0.key < $1.key }) { variables.append(try PromptVariable(name: name, spec: spec)) }
        }
        self.variables = variables
        parameters = [:]
        if let given = fields["parameters"], !given.isNull {
            guard case .object(let members) = given else { throw .badRequest("'parameters' must be an object of chat request fields.", param: "parameters") }
            if let reserved = members.keys.sorted().first(where: Self.reservedParameters.contains) {
                throw .badRequest("'parameters.\(reserved)' cannot be set: the prompt sets it.", param: "parameters.\(reserved)")
            }
            parameters = members
        }
        if let format = fields["response_format"], !format.isNull {
            guard format.object != nil else { throw .badRequest("'response_format' must be an object.", param: "response_format") }
            responseFormat = format
        }
        if let tools = fields["tools"], !tools.isNull {
            guard tools.array != nil else { throw .badRequest("'tools' must be an array of tools.", param: "tools") }
            self.tools = tools
        }
        if let choice = fields["tool_choice"], !choice.isNull { toolChoice = choice }
        var kept = fields.filter { Self.fields.contains($0.key) }
        kept = kept.filter { !$0.value.isNull }
        self.json = .object(kept)
    }

    /// The values of a run's `variables`, each checked, defaults filled in.
    /// - Throws: 400 naming `variables.<name>` for a value missing, wrong, or not declared.
    public func values(_ given: JSONValue?) throws(GatewayError) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        if let given, !given.isNull {
            guard case .object(let object) = given else { throw .badRequest("'variables' must be an object.", param: "variables") }
            members = object
        }
        let declared = Set(variables.map(\.name))
        if let unknown = members.keys.sorted().first(where: { !declared.contains($0) }) {
            let known = declared.isEmpty ? "it has none" : "it has: \(declared.sorted().joined(separator: ", "))"
            throw .badRequest("Unknown variable '\(unknown)'; \(known).", param: "variables.\(unknown)")
        }
        var values: [String: JSONValue] = [:]
        for variable in variables {
            if let value = try variable.value(from: members[variable.name]) { values[variable.name] = value }
        }
        return values
    }

    /// The chat completion request a run with `values` makes.
    public func chatRequest(values: [String: JSONValue], stream: Bool) -> JSONValue {
        var messages: [JSONValue] = []
        if let system { messages.append(["role": "system", "content": .string(PromptRenderer.render(system, values: values))]) }
        messages.append(["role": "user", "content": .string(PromptRenderer.render(template, values: values))])
        var request = parameters
        request["model"] = .string(model)
        request["messages"] = .array(messages)
        if let responseFormat { request["response_format"] = responseFormat }
        if let tools { request["tools"] = tools }
        if let toolChoice { request["tool_choice"] = toolChoice }
        if stream { request["stream"] = true }
        return .object(request)
    }
}
