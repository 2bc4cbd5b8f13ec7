import SwitchyardConfig
import SwitchyardCore
import Testing

/// The `cache:` section and each model's `cache:` override: parsed into the memory bounds and every route's
/// settings, and refused with key paths when wrong.
@Suite("Cache configuration")
struct CacheConfigurationTests {
    func load(_ yaml: String) throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigurationLoader(environment: [:]).load(yaml: yaml)
    }

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    /// A provider and two models (`chat`, `embed`) under `cache` (YAML lines at the top level, or none).
    static func configuration(cache: String = "", chatCache: String = "") -> String {
        """
        providers: [{name: p, type: openai}]
        \(cache)
        models:
          - name: chat
            targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
        \(chatCache)
          - name: embed
            targets: [{provider: p, model: e, price: {input: 0, output: 0}}]
        """
    }

    @Test("without a cache section the cache is off, for an hour, with the default memory bounds")
    func defaults() throws {
        let configuration = try load(Self.configuration()).configuration
        #expect(configuration.cacheMemory == CacheMemorySettings())
        #expect(configuration.cacheMemory.maxEntries == 10_000)
        #expect(configuration.cacheMemory.maxBytes == 64 << 20)
        for model in configuration.models {
            #expect(model.cache == CacheSettings())
            #expect(!model.cache.enabled)
            #expect(model.cache.ttl == Duration.seconds(3600))
            #expect(!model.cache.semantic.enabled)
            #expect(model.cache.semantic.embeddingModel == nil)
            #expect(model.cache.semantic.threshold == 0.95)
        }
    }

    @Test("an empty cache section is the defaults")
    func emptySection() throws {
        let configuration = try load(Self.configuration(cache: "cache:")).configuration
        #expect(configuration.cacheMemory == CacheMemorySettings())
        #expect(configuration.models[0].cache == CacheSettings())
    }

    @Test("the cache section: memory bounds on the configuration, the rest on every model")
    func fullSection() throws {
        let cache = """
            cache:
              enabled: true
              ttl_seconds: 600
              max_entries: 500
              max_bytes: 1_048_576
              semantic: {enabled: true, embedding_model: embed, threshold: 0.9}
            """
        let loaded = try load(Self.configuration(cache: cache))
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let configuration = loaded.configuration
        #expect(configuration.cacheMemory == CacheMemorySettings(maxEntries: 500, maxBytes: 1_048_576))
        let expected = CacheSettings(
            enabled: true, ttl: .seconds(600), semantic: SemanticCacheSettings(enabled: true, embeddingModel: "embed", threshold: 0.9))
        #expect(configuration.models.count == 2)
        for model in configuration.models {
            #expect(model.cache == expected, "\(model.name)")
        }
    }

    @Test("a fractional ttl is kept to the millisecond; a threshold of exactly 1 is allowed")
    func boundaries() throws {
        let cache = """
            cache:
              enabled: true
              ttl_seconds: 1.5
              semantic: {enabled: true, embedding_model: embed, threshold: 1}
            """
        let configuration = try load(Self.configuration(cache: cache)).configuration
        #expect(configuration.models[0].cache.ttl == Duration.milliseconds(1500))
        #expect(configuration.models[0].cache.semantic.threshold == 1.0)
    }

    @Test("a model's cache override applies over the gateway-wide settings, member by member")
    func modelOverrides() throws {
        let yaml = """
            providers: [{name: p, type: openai}]
            cache:
              enabled: true
              ttl_seconds: 600
              semantic: {enabled: true, embedding_model: embed, threshold: 0.9}
            models:
              - name: inherits
                targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
              - name: off
                cache: {enabled: false}
                targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
              - name: short
                cache: {ttl_seconds: 30}
                targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
              - name: exact
                cache: {semantic: {enabled: false}}
                targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
              - name: strict
                cache: {semantic: {threshold: 0.99}}
                targets: [{provider: p, model: a, price: {input: 1, output: 1}}]
              - name: embed
                targets: [{provider: p, model: e, price: {input: 0, output: 0}}]
            """
        let models = try load(yaml).configuration.models
        #expect(models.map(\.name) == ["inherits", "off", "short", "exact", "strict", "embed"])
        let global = CacheSettings(
            enabled: true, ttl: .seconds(600), semantic: SemanticCacheSettings(enabled: true, embeddingModel: "embed", threshold: 0.9))
        #expect(models[0].cache == global)

        var off = global
        off.enabled = false
        #expect(models[1].cache == off, "only enabled changes")

        var short = global
        short.ttl = .seconds(30)
        #expect(models[2].cache == short, "only the ttl changes")

        var exact = global
        exact.semantic.enabled = false
        #expect(models[3].cache == exact, "semantic lookup off, the embedding model and threshold still inherited")

        var strict = global
        strict.semantic.threshold = 0.99
        #expect(models[4].cache == strict, "only the threshold changes")

        #expect(models[5].cache == global)
    }

    @Test("a model may turn the cache on, and name its own embedding model, when the gateway-wide cache is off")
    func modelTurnsCacheOn() throws {
        let chatCache = """
                cache:
                  enabled: true
                  ttl_seconds: 120
                  semantic: {enabled: true, embedding_model: embed}
            """
        let models = try load(Self.configuration(chatCache: chatCache)).configuration.models
        let expected = CacheSettings(enabled: true, ttl: .seconds(120), semantic: SemanticCacheSettings(enabled: true, embeddingModel: "embed"))
        #expect(models[0].cache == expected)
        #expect(models[0].cache.semantic.threshold == 0.95, "the default threshold")
        #expect(models[1].cache == CacheSettings())
    }

    @Test("a semantic cache that is on but whose cache is off needs no embedding model")
    func semanticWithCacheOff() throws {
        let cache = """
            cache:
              enabled: false
              semantic: {enabled: true}
            """
        let configuration = try load(Self.configuration(cache: cache)).configuration
        #expect(!configuration.models[0].cache.enabled)
        #expect(configuration.models[0].cache.semantic.enabled)
    }

    @Test("problems in the cache section are reported with their key paths", arguments: [
        ("cache:\n  enable: true", "cache.enable: unknown key; expected one of: enabled, ttl_seconds, max_entries, max_bytes, semantic"),
        ("cache:\n  semantic: {enabled: true, model: embed}", "cache.semantic.model: unknown key; expected one of: enabled, embedding_model, threshold"),
        ("cache:\n  enabled: maybe", "cache.enabled: expected true or false, got 'maybe'"),
        ("cache:\n  ttl_seconds: 0", "cache.ttl_seconds: must be greater than 0"),
        ("cache:\n  ttl_seconds: soon", "cache.ttl_seconds: expected a number, got 'soon'"),
        ("cache:\n  max_entries: 0", "cache.max_entries: must be between 1 and 10000000"),
        ("cache:\n  max_bytes: 100", "cache.max_bytes: must be between 1024 and 68719476736"),
        ("cache:\n  semantic: {threshold: 0}", "cache.semantic.threshold: must be greater than 0"),
        ("cache:\n  semantic: {threshold: -0.5}", "cache.semantic.threshold: must be greater than 0"),
        ("cache:\n  semantic: {threshold: 1.5}", "cache.semantic.threshold: must be at most 1"),
        ("cache:\n  semantic: [a]", "cache.semantic: expected a mapping"),
        ("cache: [1]", "cache: expected a mapping"),
    ])
    func sectionProblems(cache: String, expected: String) {
        let found = problems(Self.configuration(cache: cache))
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test("problems in a model's cache override are reported with the model's key path", arguments: [
        ("    cache: {max_entries: 5}", "models[0].cache.max_entries: unknown key; expected one of: enabled, ttl_seconds, semantic"),
        ("    cache: {enabled: true, semantic: {enabled: true, threshold: 2, embedding_model: embed}}", "models[0].cache.semantic.threshold: must be at most 1"),
        ("    cache: {semantic: {similarity: 0.9}}", "models[0].cache.semantic.similarity: unknown key"),
        ("    cache: {ttl_seconds: -1}", "models[0].cache.ttl_seconds: must be greater than 0"),
    ])
    func modelProblems(chatCache: String, expected: String) {
        let found = problems(Self.configuration(chatCache: chatCache))
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test("a semantic cache needs an embedding model: its absence is refused at each model's key path")
    func semanticWithoutEmbeddingModel() {
        let cache = """
            cache:
              enabled: true
              semantic: {enabled: true}
            """
        let found = problems(Self.configuration(cache: cache))
        #expect(found.contains { $0.hasPrefix("models[0].cache.semantic.embedding_model: is required") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("models[1].cache.semantic.embedding_model: is required") }, "\(found)")
    }

    @Test("a semantic cache naming a model that is not configured is refused at the model's key path")
    func semanticUnknownEmbeddingModel() {
        let cache = """
            cache:
              enabled: true
              semantic: {enabled: true, embedding_model: ghost}
            """
        let found = problems(Self.configuration(cache: cache))
        #expect(found.contains { $0.hasPrefix(#"models[0].cache.semantic.embedding_model: no model named "ghost""#) }, "\(found)")
        #expect(found.contains { $0.hasPrefix(#"models[1].cache.semantic.embedding_model: no model named "ghost""#) }, "\(found)")
    }

    @Test("only the model whose own override is wrong is refused")
    func semanticProblemOfOneModel() {
        let chatCache = """
                cache: {enabled: true, semantic: {enabled: true, embedding_model: nowhere}}
            """
        let found = problems(Self.configuration(chatCache: chatCache))
        #expect(found == [#"models[0].cache.semantic.embedding_model: no model named "nowhere""#], "\(found)")

        let fixed = """
                cache: {enabled: true, semantic: {enabled: true, embedding_model: embed}}
            """
        #expect(problems(Self.configuration(chatCache: fixed)).isEmpty)
    }
}
