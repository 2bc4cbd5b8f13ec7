import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardWire

/// Asks an OpenAI-compatible server which models it serves (`GET {base_url}/models`).
public enum OpenAIModelDiscovery {
    /// The model ids the server lists.
    /// - Throws: ``GatewayError`` when the server cannot be reached in time or answers with an error.
    public static func listModels(_ settings: ProviderSettings, clients: UpstreamClients, logger: Logger) async throws -> [String] {
        let endpoint = UpstreamEndpoint(
            settings: settings, clients: clients,
            authentication: settings.apiKey.map { ["authorization": "Bearer \($0)"] } ?? [:])
        let context = UpstreamContext(requestID: "discovery", logger: logger, stopwatch: UpstreamStopwatch())
        let answer = try await endpoint.get("/models", context: context)
        let body = try await endpoint.collect(answer, context: context, limit: 16 << 20)
        let list = try JSONDecoder().decode(ModelIDList.self, from: Data(body.readableBytesView))
        return list.data.map(\.id)
    }

    private struct ModelIDList: Decodable {
        struct Entry: Decodable { var id: String }
        var data: [Entry]
    }
}
