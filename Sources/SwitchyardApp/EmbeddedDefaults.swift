import Logging
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders

/// The configuration used when no file is given: providers found from the environment, each of their models
/// reachable under its own name.
public enum EmbeddedDefaults {
    /// What was found, for the start-up banner.
    public struct Discovery: Sendable {
        public var configuration: Configuration
        /// One line per provider found or skipped.
        public var notes: [String]
    }

    /// Models assumed for OpenAI when its model list cannot be fetched.
    static let wellKnownOpenAIModels = [
        "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini", "o3", "o3-mini", "o4-mini",
        "text-embedding-3-small", "text-embedding-3-large",
    ]

    public static func discover(environment: [String: String], logger: Logger) async -> Discovery {
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

        if let key = environment["OPENAI_API_KEY"], !key.isEmpty {
            let baseURL = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? ProviderKind.openai.defaultBaseURL ?? ""
            var settings = ProviderSettings(name: "openai", kind: .openai, baseURL: baseURL, apiKey: key)
            settings.timeouts.connect = .seconds(5)
            var models = (try? await OpenAIModelDiscovery.listModels(settings, clients: clients, logger: logger)) ?? []
            if models.isEmpty {
                models = wellKnownOpenAIModels
                notes.append("openai: OPENAI_API_KEY found; its model list could not be fetched, so well-known models are routed")
            } else {
                notes.append("openai: OPENAI_API_KEY found, \(models.count) models")
            }
            settings.timeouts.connect = .seconds(10)
            add(settings, models: models)
        }
        for (variable, type) in [("ANTHROPIC_API_KEY", "anthropic"), ("GEMINI_API_KEY", "gemini")] {
            if let key = environment[variable], !key.isEmpty {
                notes.append("\(type): \(variable) found, but the \(type) provider type is not available in this version; skipped")
            }
        }
        var ollama = ProviderSettings(name: "ollama", kind: .openai, baseURL: "http://127.0.0.1:11434/v1")
        ollama.timeouts.connect = .seconds(1)
        ollama.timeouts.firstByte = .seconds(2)
        if let models = try? await OpenAIModelDiscovery.listModels(ollama, clients: clients, logger: logger) {
            ollama.timeouts = UpstreamTimeouts()
            add(ollama, models: models)
            notes.append("ollama: answering on 127.0.0.1:11434, \(models.count) models")
        }
        configuration.models = order.compactMap { routes[$0] }
        return Discovery(configuration: configuration, notes: notes)
    }
}
