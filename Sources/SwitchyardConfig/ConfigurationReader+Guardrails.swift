import SwitchyardCore
import SwitchyardGuardrails
import Yams

extension ConfigurationReader {
    /// The guardrail types this gateway runs.
    static let guardrailTypes = ["pii", "regex", "words", "prompt_injection", "moderation"]

    /// The `guardrails:` section: each guardrail's name, type and what it looks for, action, and directions.
    mutating func readGuardrails(_ node: Node?, models: [ModelRoute], providers: [ProviderSettings]) -> [GuardrailSettings] {
        var guardrails: [GuardrailSettings] = []
        for (index, item) in sequence(node, at: "guardrails").enumerated() {
            let path = "guardrails[\(index)]"
            guard let members = mapping(item, at: path, allowed: [
                    "name", "type", "entities", "patterns", "words", "threshold", "action", "on", "model", "via", "categories", "timeout_seconds",
                    "on_error",
                ])
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
            case "moderation"?:
                kind = readModeration(members, at: path, categories: strings(&self, "categories"), models: models, providers: providers)
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
            if case .moderation? = kind, action == .redact || action == .mask {
                problem("\(path).action", "a moderation guardrail judges whole texts: its action is block or flag")
            }
            if members["type"]?.string != "moderation" {
                for key in ["model", "via", "categories", "timeout_seconds", "on_error"] where members[key] != nil {
                    problem("\(path).\(key)", "only a moderation guardrail takes \(key)")
                }
            }
            if action == .mask, directions != [.input] {
                problem("\(path).on", "mask hides what the model is sent and puts it back in the answer: it reads input only")
            }
            if let kind { guardrails.append(GuardrailSettings(name: name, kind: kind, action: action, directions: directions)) }
        }
        return guardrails
    }

    /// A moderation guardrail's model, method, categories, timeout and `on_error`.
    private mutating func readModeration(
        _ members: [String: Node], at path: String, categories: [String], models: [ModelRoute], providers: [ProviderSettings]
    ) -> GuardrailSettings.Kind? {
        guard let model = requiredString(members["model"], at: "\(path).model") else { return nil }
        guard let route = models.first(where: { $0.name == model }) else {
            problem("\(path).model", "no model named \"\(model)\"")
            return nil
        }
        // The Moderations API is OpenAI's: every target of the model must speak it.
        let kinds = route.targets.compactMap { target in providers.first { $0.name == target.provider }?.kind }
        let speaksModerations = kinds.allSatisfy { $0 == .openai || $0 == .azureOpenAI }
        var method: ModerationSettings.Method = speaksModerations ? .moderations : .chat
        if let text = string(members["via"], at: "\(path).via") {
            if text == "chat" {
                method = .chat
            } else if text == "moderations" {
                if !speaksModerations {
                    problem("\(path).via", "model \"\(model)\" has targets that are not openai or azure-openai, which have no /moderations; use via: chat")
                }
                method = .moderations
            } else {
                problem("\(path).via", "expected moderations or chat, got '\(text)'")
            }
        }
        var settings = ModerationSettings(model: model, method: method, categories: categories)
        if method == .chat, categories.isEmpty { settings.categories = ModerationSettings.defaultCategories }
        if let seconds = number(members["timeout_seconds"], at: "\(path).timeout_seconds", minimum: 0, exclusive: true) {
            if seconds > 300 { problem("\(path).timeout_seconds", "expected at most 300 seconds, got \(seconds)") }
            settings.timeout = .milliseconds(Int((min(seconds, 300) * 1000).rounded(.up)))
        }
        switch string(members["on_error"], at: "\(path).on_error") {
        case "allow"?: settings.blocksOnError = false
        case "block"?, nil: settings.blocksOnError = true
        case let other?: problem("\(path).on_error", "expected allow or block, got '\(other)'")
        }
        return .moderation(settings)
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
