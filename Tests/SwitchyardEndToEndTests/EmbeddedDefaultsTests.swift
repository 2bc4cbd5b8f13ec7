import Foundation
import HTTPTypes
import NIOHTTP1
import Logging
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite("The embedded default configuration")
struct EmbeddedDefaultsTests {
    @Test("providers found in the environment have each of their models reachable under its own name")
    func discovery() async throws {
        let upstream = UpstreamDouble { request in
            if request.path == "/v1/models", request.headers[.authorization] == "Bearer sk-openai" {
                return .json(#"{"object":"list","data":[{"id":"gpt-4o-mini","object":"model"},{"id":"text-embedding-3-small","object":"model"}]}"#)
            }
            if request.path == "/anthropic/models", request.headers[.init("x-api-key")!] == "sk-ant" {
                return .json(#"{"data":[{"id":"claude-sonnet-4-5","type":"model"}],"has_more":false}"#)
            }
            if request.path == "/v1/chat/completions" { return .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
            return .json(status: 404, #"{"error":{"message":"not here"}}"#)
        }
        try await upstream.run { base in
            let root = String(base.dropLast("/v1".count))
            let environment = [
                "OPENAI_API_KEY": "sk-openai", "OPENAI_BASE_URL": base, "ANTHROPIC_API_KEY": "sk-ant", "ANTHROPIC_BASE_URL": root + "/anthropic",
                "SWITCHYARD_MASTER_KEY": GatewayHarness.masterKey,
            ]
            let discovery = await EmbeddedDefaults.discover(environment: environment, logger: Logger(label: "test"))
            var configuration = discovery.configuration
            #expect(configuration.providers.map(\.name).prefix(2) == ["openai", "anthropic"])
            #expect(configuration.models.map(\.name).prefix(3) == ["gpt-4o-mini", "text-embedding-3-small", "claude-sonnet-4-5"])
            #expect(configuration.server.masterKey == GatewayHarness.masterKey)
            #expect(discovery.notes.first == "openai: OPENAI_API_KEY found, 2 models")
            configuration.storage = .sqliteInMemory
            configuration.server.port = 0
            try await GatewayHarness.withGateway(configuration: configuration) { gateway in
                let reply = try await gateway.request("/v1/chat/completions", body: chatBody(model: "gpt-4o-mini"))
                #expect(reply.status == 200)
                #expect(reply.headers.first(name: "x-switchyard-target") == "openai/gpt-4o-mini")
            }
        }
    }
}
