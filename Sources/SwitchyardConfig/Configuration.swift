package import SwitchyardCore

/// The whole gateway configuration, validated into typed values. Immutable once loaded.
package struct Configuration: Sendable, Equatable {
    package var server: ServerSettings
    package var storage: StorageLocation
    package var providers: [ProviderSettings]
    package var models: [ModelRoute]
    package var router: RouterSettings
    /// Where budget alerts are posted, if anywhere.
    package var alertWebhookURL: String?
    /// How often each replica reloads what other replicas changed in shared storage (spend).
    package var storageSyncInterval: Duration
    /// Whether `GET /metrics` needs a key.
    package var metricsRequireKey = false
    /// Trace export.
    package var telemetry = TelemetrySettings()
    /// The process log and the request log.
    package var logging = LoggingSettings()
    /// The most responses a Responses API conversation (`previous_response_id` chain) may hold.
    package var responsesMaxChainDepth = 100
    /// The response cache's in-memory bounds (each model's cache settings are on its route).
    package var cacheMemory = CacheMemorySettings()
    /// Knowledge bases: the largest file `POST /v1/files` takes, and the model that embeds chunks.
    package var knowledge = KnowledgeSettings()
    /// The guardrails models (and keys) name, in the order configured.
    package var guardrails: [GuardrailSettings] = []
    /// The admin web UI and its analytics.
    package var ui = UISettings()
    /// Prompt templates defined in the file, each its prompt's version 1.
    package var prompts: [ConfiguredPrompt] = []
    /// How long stored responses are kept; nil keeps them.
    package var responsesRetention: Duration? = .seconds(30 * 86_400)
    /// How long a replica's lease on a response it is working on lasts unrenewed: a response whose replica
    /// stopped is marked failed this long after.
    package var responsesLease: Duration = .seconds(30)

    package init(
        server: ServerSettings = .init(), storage: StorageLocation = .sqliteFile(path: "switchyard.db"), providers: [ProviderSettings] = [],
        models: [ModelRoute] = [], router: RouterSettings = .init(), alertWebhookURL: String? = nil, storageSyncInterval: Duration = .seconds(5)
    ) {
        self.server = server
        self.storage = storage
        self.providers = providers
        self.models = models
        self.router = router
        self.alertWebhookURL = alertWebhookURL
        self.storageSyncInterval = storageSyncInterval
    }
}

/// One thing wrong (or worth a warning) in a configuration, with the key path it is about.
package struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// e.g. `models[2].targets[0].provider`
    package var path: String
    package var message: String

    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A configuration that cannot be used; lists every problem found, not only the first.
package struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    package var problems: [ConfigurationProblem]

    package init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    package var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A configuration together with the warnings found while loading it.
package struct LoadedConfiguration: Sendable {
    package var configuration: Configuration
    package var warnings: [ConfigurationProblem]

    package init(configuration: Configuration, warnings: [ConfigurationProblem] = []) {
        self.configuration = configuration
        self.warnings = warnings
    }
}
