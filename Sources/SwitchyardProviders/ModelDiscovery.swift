import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardWire

/// Asks a provider which models it serves, for the embedded default configuration.
public enum ModelDiscovery {
    /// The model ids the provider lists.
    /// - Throws: ``GatewayError`` when it cannot be reached in time, answers with an error, or cannot list models.
    public static func listModels(_ settings: ProviderSettings, clients: UpstreamClients, logger: Logger) async throws -> [String] {
        var headers = HTTPHeaders()
        switch settings.kind {
        case .openai, .ollama:
            if let key = settings.apiKey { headers.add(name: "authorization", value: "Bearer \(key)") }
        case .anthropic:
            headers.add(name: "anthropic-version", value: "2023-06-01")
            if let key = settings.apiKey { headers.add(name: "x-api-key", value: key) }
        case .gemini:
            if let key = settings.apiKey { headers.add(name: "x-goog-api-key", value: key) }
        case .azureOpenAI, .bedrock:
            throw GatewayError.unsupported("Provider type \(settings.kind.rawValue) has no model list to discover.")
        }
        let endpoint = UpstreamEndpoint(settings: settings, clients: clients, authentication: headers)
        let context = UpstreamContext(requestID: "discovery", logger: logger, stopwatch: UpstreamStopwatch())
        let path = settings.kind == .ollama ? "/api/tags" : "/models" + (settings.kind == .anthropic ? "?limit=1000" : "")
        let answer = try await endpoint.get(path, context: context)
        let list = try JSONValue(decoding: try await endpoint.collect(answer, context: context, limit: 16 << 20))
        switch settings.kind {
        case .gemini:
            return (list["models"]?.array ?? []).filter { model in
                model["supportedGenerationMethods"]?.array?.contains("generateContent") ?? true
            }.compactMap { $0["name"]?.string.map { $0.hasPrefix("models/") ? String($0.dropFirst(7)) : $0 } }
        case .ollama:
            return (list["models"]?.array ?? []).compactMap { $0["name"]?.string }
        default:
            return (list["data"]?.array ?? []).compactMap { $0["id"]?.string }
        }
    }
}
