import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardApp
import SwitchyardConfig
import SwitchyardCore
import SwitchyardTesting
import Testing

/// Runs a real gateway on an ephemeral loopback port for the length of a test.
struct GatewayHarness {
    static let masterKey = "sk-test-master-key-0123456789"

    /// A gateway whose configuration is `yaml` with `UPSTREAM` standing for the upstream double's base URL.
    static func withGateway<T: Sendable>(
        yaml: String, upstream: String = "http://127.0.0.1:9/v1", _ body: (GatewayClient) async throws -> T
    ) async throws -> T {
        let text = yaml.replacingOccurrences(of: "UPSTREAM", with: upstream)
        var configuration = try ConfigurationLoader(environment: [:]).load(yaml: text).configuration
        configuration.server.port = 0
        configuration.server.host = "127.0.0.1"
        if configuration.server.masterKey == nil { configuration.server.masterKey = masterKey }
        if !text.contains("storage:") { configuration.storage = .sqliteInMemory }
        return try await withGateway(configuration: configuration, body)
    }

    /// The configuration `yaml` describes (`UPSTREAM` replaced), on `storage`, for a replica of a shared database.
    static func configuration(yaml: String, upstream: String, storage: StorageLocation) throws -> Configuration {
        var configuration = try ConfigurationLoader(environment: [:]).load(yaml: yaml.replacingOccurrences(of: "UPSTREAM", with: upstream)).configuration
        configuration.storage = storage
        configuration.server.port = 0
        configuration.server.masterKey = masterKey
        return configuration
    }

    /// A gateway that reads its configuration from the file at `path` (`UPSTREAM` replaced), at start and on each
    /// reload, with the test's port, master key and in-memory storage.
    static func withGateway<T: Sendable>(file path: String, upstream: String, _ body: (GatewayClient) async throws -> T) async throws -> T {
        let source: ConfigurationSource = {
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "UPSTREAM", with: upstream)
            var loaded = try ConfigurationLoader(environment: [:]).load(yaml: text)
            loaded.configuration.server.port = 0
            loaded.configuration.server.host = "127.0.0.1"
            if loaded.configuration.server.masterKey == nil { loaded.configuration.server.masterKey = masterKey }
            if !text.contains("storage:") { loaded.configuration.storage = .sqliteInMemory }
            return loaded
        }
        return try await withGateway(configuration: try await source().configuration, source: source, body)
    }

    static func withGateway<T: Sendable>(
        configuration: Configuration, source: ConfigurationSource? = nil, _ body: (GatewayClient) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "gateway-under-test")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = try await SwitchyardServer.make(
            configuration: configuration, source: source, logger: logger, handleSignals: false, onRunning: { continuation.yield($0) })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body(GatewayClient(port: port, server: server))
                await server.shutdown()
                try await group.waitForAll()
                return result
            } catch {
                await server.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// A configuration with one provider `up` at the double and one model `chat` served by `up-model`.
    static let singleModel = """
        providers:
          - name: up
            type: openai
            base_url: UPSTREAM
            api_key: sk-upstream-key
            headers:
              x-tenant: acme
        models:
          - name: chat
            targets:
              - provider: up
                model: up-model
                price: {input: 1, output: 2}
          - name: embed
            targets:
              - provider: up
                model: up-embedding
                price: {input: 0.1, output: 0}
        """
}

/// Talks to the gateway under test.
struct GatewayClient: Sendable {
    let port: Int
    /// The server under test when it runs in this process; nil for a separate process.
    var server: SwitchyardServer? = nil
    var baseURL: String { "http://127.0.0.1:\(port)" }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }

        var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    /// POSTs `body` to `path`.
    func request(
        _ path: String, body: String? = nil, key: String? = GatewayHarness.masterKey, followRedirects: Bool = true, headers: [(String, String)] = []
    ) async throws -> Reply {
        try await request(.POST, path, body: body, key: key, followRedirects: followRedirects, headers: headers)
    }

    func request(
        _ method: HTTPMethod, _ path: String, body: String? = nil, key: String? = GatewayHarness.masterKey, followRedirects: Bool = true,
        headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        if body != nil { request.headers.add(name: "content-type", value: "application/json") }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await (followRedirects ? HTTPClient.shared : Self.notFollowing).execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// A client that hands redirects back instead of following them.
    static let notFollowing = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    /// Makes a virtual key with the admin API (`body` as `POST /admin/keys` takes it); its id and secret.
    func createKey(_ body: String) async throws -> (id: String, secret: String) {
        let created = try await request("/admin/keys", body: body)
        return (try #require(created.json["id"] as? String, "\(created.body)"), try #require(created.json["key"] as? String))
    }

    /// A streamed request; each received body part is handed to `onPart` with the time it arrived.
    func stream(
        _ path: String = "/v1/chat/completions", body: String, key: String = GatewayHarness.masterKey, headers: [(String, String)] = [],
        onPart: (String, ContinuousClock.Instant) async throws -> Bool = { _, _ in true }
    ) async throws -> (status: Int, headers: HTTPHeaders, text: String) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        var text = ""
        for try await part in response.body {
            let piece = String(buffer: part)
            text += piece
            if try await !onPart(piece, .now) { break }
        }
        return (Int(response.status.code), response.headers, text)
    }
}

/// The `data:` payloads of an SSE text.
func sseData(_ text: String) -> [String] {
    text.components(separatedBy: "\n\n").compactMap { block in
        let lines = block.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}

/// The chat request body most tests send.
func chatBody(model: String = "chat", stream: Bool = false, extra: String = "") -> String {
    #"{"model":"\#(model)","messages":[{"role":"user","content":"Hi"}],"stream":\#(stream)\#(extra)}"#
}
