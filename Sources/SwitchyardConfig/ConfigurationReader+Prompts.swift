import SwitchyardCore
import SwitchyardPrompts
import SwitchyardWire
import Yams

extension ConfigurationReader {
    /// The `prompts:` section: each prompt's name and definition, checked as `POST /admin/prompts` checks one.
    mutating func readPrompts(_ node: Node?, models: [ModelRoute]) -> [ConfiguredPrompt] {
        var prompts: [ConfiguredPrompt] = []
        for (index, item) in sequence(node, at: "prompts").enumerated() {
            let path = "prompts[\(index)]"
            guard case .mapping(let mapping)? = Optional(item) else {
                problem(path, "expected a mapping with the prompt's name, model and template")
                continue
            }
            var definition: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                definition[name] = Self.json(value)
            }
            guard let name = definition.removeValue(forKey: "name")?.string, !name.isEmpty else {
                problem("\(path).name", "is required")
                continue
            }
            if prompts.contains(where: { $0.name == name }) { problem("\(path).name", "another prompt is named \"\(name)\"") }
            if !PromptDefinition.isValidName(name) {
                problem("\(path).name", "use letters, digits, -, _ and . (starting with a letter or digit, at most 100), got \"\(name)\"")
            }
            if let unknown = definition.keys.sorted().first(where: { !PromptDefinition.fields.contains($0) }) {
                problem("\(path).\(unknown)", "unknown field; expected some of: \(PromptDefinition.fields.sorted().joined(separator: ", "))")
                continue
            }
            do throws(GatewayError) {
                let checked = try PromptDefinition(json: .object(definition))
                if !models.contains(where: { $0.name == checked.model }) { problem("\(path).model", "no model named \"\(checked.model)\"") }
                prompts.append(ConfiguredPrompt(name: name, definition: checked.json))
            } catch {
                problem(error.param.map { "\(path).\($0)" } ?? path, error.message)
            }
        }
        return prompts
    }

    /// A YAML value as JSON: plain scalars typed as YAML 1.2's core schema types them (null, booleans, integers,
    /// floats), quoted ones as strings.
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            let text = scalar.string
            if ["", "~", "null", "Null", "NULL"].contains(text) { return .null }
            if ["true", "True", "TRUE"].contains(text) { return .bool(true) }
            if ["false", "False", "FALSE"].contains(text) { return .bool(false) }
            if let integer = Int64(text) { return .integer(integer) }
            if let number = Double(text), number.isFinite, text.contains(where: { $0.isNumber }) { return .number(number) }
            return .string(text)
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { if let name = key.string { object[name] = json(value) } }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(json))
        case .alias:
            return .null
        }
    }
}
