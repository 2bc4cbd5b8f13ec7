package import Logging
package import SwitchyardCore

/// Asks a provider which models it serves, for the embedded default configuration.
package enum ModelDiscovery {
    /// The model ids the provider lists.
    /// - Throws: ``GatewayError`` when it cannot be reached in time, answers with an error, or cannot list models.
    package static func listModels(_ settings: ProviderSettings, clients: UpstreamClients, logger: Logger) async throws -> [String] {
        let provider = ProviderRegistry.make(settings, clients: clients)
        return try await provider.listModels(context: UpstreamContext(requestID: "discovery", logger: logger, stopwatch: UpstreamStopwatch()))
    }
}
