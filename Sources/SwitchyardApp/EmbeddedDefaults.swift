package import Logging
package import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders

/// The configuration used when no file is given: providers found from the environment, each of their models
/// reachable under its own name.
package enum EmbeddedDefaults {
    /// What was found, for the start-up banner.
    package struct Discovery: Sendable {
        package var configuration: Configuration
        /// One line per provider found or skipped.
        package var notes: [String]
    }

    /// Models assumed for OpenAI when its model list cannot be fetched.
    static let wellKnownOpenAIModels = [
        "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini", "o3", "o3-mini", "o4-mini",
        "text-embedding-3-small", "text-embedding-3-large",
    ]
    static let wellKnownAnthropicModels = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-3-5-haiku-latest"]
    static let wellKnownGeminiModels = ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "text-embedding-004"]

    package static func discover(environment: [String: String], logger: Logger) async -> Discovery {
        let clients = UpstreamClients()
        let discovery = await discover(environment: environment, clients: clients, logger: logger)
        try? await clients.shutdown()
        return discovery
    }

    static func discover(environment: [String: String], clients: UpstreamClients, logger: Logger) async -> Discovery {
        var configuration = Configuration()
        configuration.server.masterKey = environment["SWITCHYARD_MASTER_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        var notes: [String] = []
        var routes: [String: ModelRoute] = [:]
        var order: [String] = []

        func add(_ provider: ProviderSettings, models: [String]) {
            configuration.providers.append(provider)
            for model in models where routes[model] == nil {
                routes[model] = ModelRoute(name: model, targets: [Target(provider: provider.name, model: model)])
                order.append(model)
            }
        }

        let hosted: [(variable: String, name: String, kind: ProviderKind, baseURLVariable: String?, fallback: [String])] = [
            ("OPENAI_API_KEY", "openai", .openai, "OPENAI_BASE_URL", wellKnownOpenAIModels),
            ("ANTHROPIC_API_KEY", "anthropic", .anthropic, "ANTHROPIC_BASE_URL", wellKnownAnthropicModels),
            ("GEMINI_API_KEY", "gemini", .gemini, nil, wellKnownGeminiModels),
        ]
        for provider in hosted {
            guard let key = environment[provider.variable], !key.isEmpty else { continue }
            let baseURL = provider.baseURLVariable.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                ?? provider.kind.defaultBaseURL ?? ""
            var settings = ProviderSettings(name: provider.name, kind: provider.kind, baseURL: baseURL, apiKey: key)
            settings.timeouts.connect = .seconds(5)
            var models = (try? await ModelDiscovery.listModels(settings, clients: clients, logger: logger)) ?? []
            if models.isEmpty {
                models = provider.fallback
                notes.append("\(provider.name): \(provider.variable) found; its model list could not be fetched, so well-known models are routed")
            } else {
                notes.append("\(provider.name): \(provider.variable) found, \(models.count) models")
            }
            settings.timeouts.connect = .seconds(10)
            add(settings, models: models)
        }
        let ollamaURL = ProviderKind.ollama.defaultBaseURL ?? ""
        var ollama = ProviderSettings(name: "ollama", kind: .ollama, baseURL: ollamaURL)
        ollama.timeouts.connect = .seconds(1)
        ollama.timeouts.firstByte = .seconds(2)
        if let models = try? await ModelDiscovery.listModels(ollama, clients: clients, logger: logger) {
            ollama.timeouts = UpstreamTimeouts()
            add(ollama, models: models)
            notes.append("ollama: answering on \(ollamaURL), \(models.count) models")
        }
        configuration.models = order.compactMap { routes[$0] }
        return Discovery(configuration: configuration, notes: notes)
    }
}
