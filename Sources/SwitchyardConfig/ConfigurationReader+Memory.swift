import SwitchyardCore
import Yams

extension ConfigurationReader {
    /// A model's `memory:` section.
    mutating func readModelMemory(_ node: Node?, at path: String) -> MemorySettings? {
        guard let node, !isNull(node),
            let members = mapping(node, at: path, allowed: ["enabled", "extract_with", "embedding_model", "top_k"])
        else { return nil }
        let enabled = bool(members["enabled"], at: "\(path).enabled") ?? true
        let extractWith = requiredString(members["extract_with"], at: "\(path).extract_with")
        let embeddingModel = requiredString(members["embedding_model"], at: "\(path).embedding_model")
        let topK = integer(members["top_k"], at: "\(path).top_k", in: 1...100) ?? 5
        guard let extractWith, let embeddingModel else { return nil }
        return MemorySettings(enabled: enabled, extractWith: extractWith, embeddingModel: embeddingModel, topK: topK)
    }

    /// The models a memory section names must be configured.
    mutating func checkMemoryModels(_ models: [ModelRoute]) {
        let names = Set(models.map(\.name))
        for (index, model) in models.enumerated() {
            guard let memory = model.memory else { continue }
            for (key, name) in [("extract_with", memory.extractWith), ("embedding_model", memory.embeddingModel)] where !names.contains(name) {
                problem("models[\(index)].memory.\(key)", "no model named \"\(name)\"")
            }
        }
    }
}
