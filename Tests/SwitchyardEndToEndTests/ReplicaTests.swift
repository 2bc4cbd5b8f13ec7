import Foundation
import HTTPTypes
import Logging
import NIOHTTP1
import SQLKit
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardStorage

/// A fresh PostgreSQL database for one test, on the server `.ci/run` starts.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]

    static func with<T>(_ body: (StorageLocation) async throws -> T) async throws -> T {
        let admin = try await SQLGatewayStore.open(.postgres(url: url!), logger: Logger(label: "test"))
        let name = "switchyard_e2e_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await admin.database.raw("CREATE DATABASE \(unsafeRaw: name)").run()
        var components = URLComponents(string: url!)!
        components.path = "/" + name
        do {
            let result = try await body(.postgres(url: components.string!))
            try await admin.database.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
            try await admin.close()
            return result
        } catch {
            try? await admin.database.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
            try? await admin.close()
            throw error
        }
    }
}

@Suite("Replicas sharing PostgreSQL", .enabled(if: PostgresTestDatabase.url != nil))
struct ReplicaTests {
    @Test("a key made on one replica works on another within a second, and its deletion holds on both")
    func keysAcrossReplicas() async throws {
        try await PostgresTestDatabase.with { location in
            let configuration = try GatewayHarness.configuration(yaml: GatewayHarness.singleModel, upstream: "http://127.0.0.1:9/v1", storage: location)
            try await GatewayHarness.withGateway(configuration: configuration) { first in
                try await GatewayHarness.withGateway(configuration: configuration) { second in
                    let secret = try #require(try await first.request("/admin/keys", body: #"{"name":"shared"}"#).json["key"] as? String)
                    let id = try #require(try await first.request(.GET, "/admin/keys").json["data"] as? [[String: Any]]).first?["id"] as? String
                    #expect(try await first.request(.GET, "/v1/models", key: secret).status == 200)
                    #expect(try await Self.eventually { try await second.request(.GET, "/v1/models", key: secret).status == 200 })
                    #expect(try await second.request(.DELETE, "/admin/keys/\(try #require(id))").status == 204)
                    #expect(try await second.request(.GET, "/v1/models", key: secret).status == 401)
                    #expect(try await Self.eventually { try await first.request(.GET, "/v1/models", key: secret).status == 401 })
                }
            }
        }
    }

    /// Whether `condition` holds within 1.5 s (the directory reloads every second).
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}

@Suite("Rate limits across replicas", .enabled(if: PostgresTestDatabase.url != nil))
struct ReplicaLimitTests {
    @Test("a key's requests per minute hold across two replicas once they have synced")
    func requestsPerMinuteAcrossReplicas() async throws {
        let upstream = UpstreamDouble { request in .json(OpenAIWireSamples.chatCompletion(model: request.model ?? "")) }
        try await upstream.run { base in
            try await PostgresTestDatabase.with { location in
                let configuration = try GatewayHarness.configuration(
                    yaml: "storage:\n  sync_interval_seconds: 0.3\n" + GatewayHarness.singleModel, upstream: base, storage: location)
                try await GatewayHarness.withGateway(configuration: configuration) { first in
                    try await GatewayHarness.withGateway(configuration: configuration) { second in
                        let secret = try #require(try await first.request("/admin/keys", body: #"{"name":"cluster","rpm":4}"#).json["key"] as? String)
                        #expect(try await ReplicaTests.eventually { try await second.request(.GET, "/v1/models", key: secret).status == 200 })
                        for gateway in [first, first, second, second] {
                            #expect(try await gateway.request("/v1/chat/completions", body: chatBody(), key: secret).status == 200)
                        }
                        // Alone, each replica would allow two more; together they have used the four.
                        try await Task.sleep(for: .milliseconds(3000))
                        #expect(try await first.request("/v1/chat/completions", body: chatBody(), key: secret).status == 429)
                        #expect(try await second.request("/v1/chat/completions", body: chatBody(), key: secret).status == 429)
                    }
                }
            }
        }
    }
}

@Suite("Vector stores across replicas", .enabled(if: PostgresTestDatabase.url != nil))
struct ReplicaKnowledgeTests {
    @Test("a store searched on one replica sees files ingested and removed through another (its version moves)")
    func searchFollowsVersion() async throws {
        let upstream = VectorStoresTests.upstream()
        try await upstream.run { base in
            try await PostgresTestDatabase.with { location in
                let configuration = try GatewayHarness.configuration(yaml: VectorStoresTests.yaml, upstream: base, storage: location)
                try await GatewayHarness.withGateway(configuration: configuration) { first in
                    try await GatewayHarness.withGateway(configuration: configuration) { second in
                        let (store, files) = try await VectorStoresTests.knowledgeBase(first, [VectorStoresTests.refund])
                        let refund = try #require(files[VectorStoresTests.refund.filename])
                        // The second replica loads the store into memory with one file.
                        let before = try await VectorStoresTests.search(second, store, VectorStoresTests.query("shipping"))
                        #expect(VectorStoresTests.fileIDs(before) == [refund], "\(before)")

                        // A file added through the first replica is found by the second's next search.
                        let shipping = try await VectorStoresTests.upload(first, VectorStoresTests.shipping.filename, VectorStoresTests.shipping.text)
                        #expect(try await VectorStoresTests.addFile(first, shipping, to: store).status == 200)
                        #expect(try await VectorStoresTests.ingested(first, shipping, in: store)["status"] as? String == "completed")
                        let after = try await VectorStoresTests.search(second, store, VectorStoresTests.query("shipping"))
                        #expect(VectorStoresTests.fileIDs(after).first == shipping, "\(after)")
                        let held = try await VectorStoresTests.search(first, store, VectorStoresTests.query("shipping"))
                        #expect(VectorStoresTests.fileIDs(held).first == shipping, "\(held)")

                        // Removed through the second replica: gone from the first's search, in memory too.
                        #expect(try await second.request(.DELETE, "/v1/vector_stores/\(store)/files/\(shipping)").status == 200)
                        let removed = try await VectorStoresTests.search(first, store, VectorStoresTests.query("shipping"))
                        #expect(!VectorStoresTests.fileIDs(removed).contains(shipping), "\(removed)")
                    }
                }
            }
        }
    }
}
