import Foundation
import HTTPTypes
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import Testing

@Suite("The master key")
struct MasterKeyTests {
    @Test("without a configured key one is generated once, stored as a digest, and keeps working after a restart")
    func generatedOnce() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        var configuration = Configuration()
        configuration.storage = .sqliteFile(path: path)
        configuration.server.port = 0

        let generated = try await GatewayHarness.withGateway(configuration: configuration) { gateway in
            let key = try #require(gateway.server?.generatedMasterKey)
            #expect(key.hasPrefix("sk-sy-"))
            #expect(try await gateway.request(.GET, "/v1/models", key: key).status == 200)
            #expect(try await gateway.request(.GET, "/v1/models", key: GatewayHarness.masterKey).status == 401)
            return key
        }
        let files = ["", "-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: path + $0)) }
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { !String(decoding: $0, as: UTF8.self).contains(generated) })

        try await GatewayHarness.withGateway(configuration: configuration) { gateway in
            #expect(gateway.server?.generatedMasterKey == nil)
            let reply = try await gateway.request(.GET, "/v1/models", key: generated)
            #expect(reply.status == 200)
        }
    }
}
