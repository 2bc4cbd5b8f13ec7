import SwitchyardCore
import Yams

extension ConfigurationReader {
    /// A model's `context:` section. `window_tokens` may be left out for a well-known model: the smallest built-in
    /// window among its targets' upstream models is used, so a request fits whichever target serves it.
    mutating func readModelContext(_ node: Node?, at path: String, targets: [Target]) -> ContextSettings? {
        let allowed = ["window_tokens", "reserve_output_tokens", "strategy", "summarize_with", "retrieve_top_k", "embedding_model"]
        guard let node, !isNull(node), let members = mapping(node, at: path, allowed: allowed) else { return nil }
        var window = integer(members["window_tokens"], at: "\(path).window_tokens", in: 256...100_000_000)
        if window == nil, members["window_tokens"] == nil {
            let known = targets.map { ContextWindows.builtIn(for: $0.model) }
            if !targets.isEmpty, known.allSatisfy({ $0 != nil }) {
                window = known.compactMap { $0 }.min()
            } else {
                let unknown = targets.filter { ContextWindows.builtIn(for: $0.model) == nil }.map(\.model)
                problem("\(path).window_tokens", "is required: no built-in window for \(unknown.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
        }
        guard let window else { return nil }
        var settings = ContextSettings(windowTokens: window)
        if let reserve = integer(members["reserve_output_tokens"], at: "\(path).reserve_output_tokens", in: 0...100_000_000) {
            if reserve >= window {
                problem("\(path).reserve_output_tokens", "must be less than window_tokens (\(window))")
            } else {
                settings.reserveOutputTokens = reserve
            }
        } else if settings.reserveOutputTokens >= window {
            settings.reserveOutputTokens = window / 4
        }
        settings.strategy = choice(members["strategy"], at: "\(path).strategy", as: ContextSettings.Strategy.self) ?? .slidingWindow
        settings.summarizeWith = string(members["summarize_with"], at: "\(path).summarize_with")
        settings.retrieveTopK = integer(members["retrieve_top_k"], at: "\(path).retrieve_top_k", in: 1...100) ?? settings.retrieveTopK
        settings.embeddingModel = string(members["embedding_model"], at: "\(path).embedding_model")
        switch settings.strategy {
        case .summarize where settings.summarizeWith == nil:
            problem("\(path).summarize_with", "is required with strategy summarize")
        case .retrieve where settings.embeddingModel == nil:
            problem("\(path).embedding_model", "is required with strategy retrieve")
        default:
            break
        }
        return settings
    }

    /// The models a context section names must be configured.
    mutating func checkContextModels(_ models: [ModelRoute]) {
        let names = Set(models.map(\.name))
        for (index, model) in models.enumerated() {
            guard let context = model.context else { continue }
            for (key, name) in [("summarize_with", context.summarizeWith), ("embedding_model", context.embeddingModel)] {
                if let name, !names.contains(name) { problem("models[\(index)].context.\(key)", "no model named \"\(name)\"") }
            }
        }
    }
}
