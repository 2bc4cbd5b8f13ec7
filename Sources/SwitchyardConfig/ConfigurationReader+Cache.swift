import SwitchyardCore
import Yams

extension ConfigurationReader {
    /// The top-level `cache:` section: the settings every model starts from, and the in-memory bounds.
    mutating func readCache(_ node: Node?) -> (CacheSettings, CacheMemorySettings) {
        var memory = CacheMemorySettings()
        guard let members = mapping(node, at: "cache", allowed: ["enabled", "ttl_seconds", "max_entries", "max_bytes", "semantic"]) else {
            return (CacheSettings(), memory)
        }
        let settings = readCacheOverride(members, at: "cache", over: CacheSettings())
        memory.maxEntries = integer(members["max_entries"], at: "cache.max_entries", in: 1...10_000_000) ?? memory.maxEntries
        memory.maxBytes = integer(members["max_bytes"], at: "cache.max_bytes", in: 1024...(64 << 30)) ?? memory.maxBytes
        return (settings, memory)
    }

    /// A model's `cache:` override over the gateway-wide settings.
    mutating func readModelCache(_ node: Node?, at path: String, over base: CacheSettings) -> CacheSettings {
        guard let members = mapping(node, at: path, allowed: ["enabled", "ttl_seconds", "semantic"]) else { return base }
        return readCacheOverride(members, at: path, over: base)
    }

    private mutating func readCacheOverride(_ members: [String: Node], at path: String, over base: CacheSettings) -> CacheSettings {
        var settings = base
        settings.enabled = bool(members["enabled"], at: "\(path).enabled") ?? settings.enabled
        settings.ttl = seconds(members["ttl_seconds"], at: "\(path).ttl_seconds") ?? settings.ttl
        if let semantic = mapping(members["semantic"], at: "\(path).semantic", allowed: ["enabled", "embedding_model", "threshold"]) {
            settings.semantic.enabled = bool(semantic["enabled"], at: "\(path).semantic.enabled") ?? settings.semantic.enabled
            settings.semantic.embeddingModel = string(semantic["embedding_model"], at: "\(path).semantic.embedding_model") ?? settings.semantic.embeddingModel
            if let threshold = number(semantic["threshold"], at: "\(path).semantic.threshold", minimum: 0, exclusive: true) {
                if threshold > 1 {
                    problem("\(path).semantic.threshold", "must be at most 1 (a cosine similarity)")
                } else {
                    settings.semantic.threshold = threshold
                }
            }
        }
        return settings
    }

    /// A semantic cache needs an embedding model that is configured.
    mutating func checkSemanticCache(_ models: [ModelRoute]) {
        let names = Set(models.map(\.name))
        for (index, model) in models.enumerated() where model.cache.enabled && model.cache.semantic.enabled {
            guard let embedding = model.cache.semantic.embeddingModel else {
                problem("models[\(index)].cache.semantic.embedding_model", "is required when the semantic cache is on (here or under cache.semantic)")
                continue
            }
            if !names.contains(embedding) {
                problem("models[\(index)].cache.semantic.embedding_model", "no model named \"\(embedding)\"")
            }
        }
    }
}
