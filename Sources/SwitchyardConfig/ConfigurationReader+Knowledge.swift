import SwitchyardCore
import Yams

extension ConfigurationReader {
    /// The `knowledge:` section.
    mutating func readKnowledge(_ node: Node?, models: [ModelRoute]) -> KnowledgeSettings {
        var settings = KnowledgeSettings()
        guard let members = mapping(node, at: "knowledge", allowed: ["max_file_bytes", "embedding_model"]) else { return settings }
        settings.maxFileBytes = integer(members["max_file_bytes"], at: "knowledge.max_file_bytes", in: 1...(1 << 30)) ?? settings.maxFileBytes
        if let model = string(members["embedding_model"], at: "knowledge.embedding_model") {
            if models.contains(where: { $0.name == model }) {
                settings.embeddingModel = model
            } else {
                problem("knowledge.embedding_model", "no model named \"\(model)\"")
            }
        }
        return settings
    }
}
