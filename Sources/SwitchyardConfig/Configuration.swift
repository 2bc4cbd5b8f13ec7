import SwitchyardCore

/// The whole gateway configuration, validated into typed values. Immutable once loaded.
public struct Configuration: Sendable, Equatable {
    public var server: ServerSettings
    public var storage: StorageLocation
    public var providers: [ProviderSettings]
    public var models: [ModelRoute]
    public var router: RouterSettings
    /// Where budget alerts are posted, if anywhere.
    public var alertWebhookURL: String?
    /// How often each replica reloads what other replicas changed in shared storage (spend).
    public var storageSyncInterval: Duration
    /// Whether `GET /metrics` needs a key.
    public var metricsRequireKey = false
    /// Trace export.
    public var telemetry = TelemetrySettings()
    /// The process log and the request log.
    public var logging = LoggingSettings()
    /// The most responses a Responses API conversation (`previous_response_id` chain) may hold.
    public var responsesMaxChainDepth = 100
    /// How long stored responses are kept; nil keeps them.
    public var responsesRetention: Duration? = .seconds(30 * 86_400)

    public init(
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
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// e.g. `models[2].targets[0].provider`
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A configuration that cannot be used; lists every problem found, not only the first.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A configuration together with the warnings found while loading it.
public struct LoadedConfiguration: Sendable {
    public var configuration: Configuration
    public var warnings: [ConfigurationProblem]
}
