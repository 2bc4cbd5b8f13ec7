import SwitchyardCore
import SwitchyardGuardrails
import Yams

extension ConfigurationReader {
    /// The guardrail types this gateway runs.
    static let guardrailTypes = ["pii", "regex", "words", "prompt_injection"]

    /// The `guardrails:` section: each guardrail's name, type and what it looks for, action, and directions.
    mutating func readGuardrails(_ node: Node?) -> [GuardrailSettings] {
        var guardrails: [GuardrailSettings] = []
        for (index, item) in sequence(node, at: "guardrails").enumerated() {
            let path = "guardrails[\(index)]"
            guard let members = mapping(item, at: path, allowed: ["name", "type", "entities", "patterns", "words", "threshold", "action", "on"])
            else { continue }
            guard let name = requiredString(members["name"], at: "\(path).name") else { continue }
            if guardrails.contains(where: { $0.name == name }) { problem("\(path).name", "another guardrail is named \"\(name)\"") }
            // Names appear in headers and logs (`pii=redact:2`): letters, digits, `_` and `-` only.
            if !name.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }) {
                problem("\(path).name", "use letters, digits, _ and - only, got \"\(name)\"")
            }
            let strings = { (reader: inout ConfigurationReader, key: String) -> [String] in
                reader.sequence(members[key], at: "\(path).\(key)").enumerated().compactMap { position, node in
                    reader.string(node, at: "\(path).\(key)[\(position)]")
                }
            }
            var kind: GuardrailSettings.Kind?
            switch requiredString(members["type"], at: "\(path).type") {
            case "pii"?:
                let entities = strings(&self, "entities")
                let known = Entity.allCases.map(\.rawValue)
                for entity in entities where !known.contains(entity) {
                    problem("\(path).entities", "unknown entity \"\(entity)\"; expected some of: \(known.joined(separator: ", "))")
                }
                kind = .pii(entities: entities)
            case "regex"?:
                let patterns = strings(&self, "patterns")
                if patterns.isEmpty { problem("\(path).patterns", "a regex guardrail needs at least one pattern") }
                for (position, pattern) in patterns.enumerated() where (try? Regex(pattern)) == nil {
                    problem("\(path).patterns[\(position)]", "not a valid regular expression: \(pattern)")
                }
                kind = .regex(patterns: patterns)
            case "words"?:
                let words = strings(&self, "words").filter { !$0.allSatisfy(\.isWhitespace) }
                if words.isEmpty { problem("\(path).words", "a words guardrail needs at least one word") }
                kind = .words(words)
            case "prompt_injection"?:
                let threshold = number(members["threshold"], at: "\(path).threshold", minimum: 0) ?? 0.8
                if threshold > 1 { problem("\(path).threshold", "expected a score from 0 to 1, got \(threshold)") }
                kind = .promptInjection(threshold: min(threshold, 1))
            case let other?:
                problem("\(path).type", "expected one of: \(Self.guardrailTypes.joined(separator: ", ")), got '\(other)'")
            case nil:
                break
            }
            var action = GuardrailSettings.Action.block
            if let text = string(members["action"], at: "\(path).action") {
                if let known = GuardrailSettings.Action(rawValue: text) {
                    action = known
                } else {
                    problem("\(path).action", "expected one of: redact, mask, block, flag, got '\(text)'")
                }
            }
            var directions: Set<GuardrailSettings.Direction> = [.input]
            if members["on"] != nil {
                directions = []
                for text in strings(&self, "on") {
                    if let direction = GuardrailSettings.Direction(rawValue: text) {
                        directions.insert(direction)
                    } else {
                        problem("\(path).on", "expected input and/or output, got '\(text)'")
                    }
                }
                if directions.isEmpty { problem("\(path).on", "name input, output or both") }
            }
            if case .promptInjection? = kind, action == .redact || action == .mask {
                problem("\(path).action", "a prompt_injection guardrail scores whole texts: its action is block or flag")
            }
            if action == .mask, directions != [.input] {
                problem("\(path).on", "mask hides what the model is sent and puts it back in the answer: it reads input only")
            }
            if let kind { guardrails.append(GuardrailSettings(name: name, kind: kind, action: action, directions: directions)) }
        }
        return guardrails
    }

    /// The guardrails a model names must be configured.
    mutating func checkModelGuardrails(_ models: [ModelRoute], guardrails: [GuardrailSettings]) {
        let names = Set(guardrails.map(\.name))
        for (index, model) in models.enumerated() {
            for (position, name) in model.guardrails.enumerated() where !names.contains(name) {
                problem("models[\(index)].guardrails[\(position)]", "no guardrail named \"\(name)\"")
            }
        }
    }
}
