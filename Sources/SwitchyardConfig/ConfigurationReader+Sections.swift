import SwitchyardCore
import Yams

extension ConfigurationReader {
    mutating func readConfiguration(_ root: Node?) -> Configuration? {
        guard let members = mapping(root, at: "", allowed: ["server", "storage", "providers", "models"]) else { return nil }
        let server = readServer(members["server"])
        let storage = readStorage(members["storage"])
        let providers = readProviders(members["providers"])
        let models = readModels(members["models"], providers: providers)
        return Configuration(server: server, storage: storage, providers: providers, models: models)
    }

    mutating func readServer(_ node: Node?) -> ServerSettings {
        var server = ServerSettings()
        let allowed = [
            "host", "port", "master_key", "max_body_bytes", "request_head_timeout_seconds", "request_body_timeout_seconds",
            "shutdown_grace_seconds",
        ]
        guard let members = mapping(node, at: "server", allowed: allowed) else { return server }
        if let host = string(members["host"], at: "server.host") { server.host = host }
        if let port = integer(members["port"], at: "server.port", in: 0...65535) { server.port = port }
        server.masterKey = string(members["master_key"], at: "server.master_key")
        if let key = server.masterKey, key.count < 8 {
            problem("server.master_key", "must be at least 8 characters long")
        }
        if let limit = integer(members["max_body_bytes"], at: "server.max_body_bytes", in: 1...(1 << 34)) {
            server.maxBodyBytes = limit
        }
        if let value = seconds(members["request_head_timeout_seconds"], at: "server.request_head_timeout_seconds") {
            server.requestHeadTimeout = value
        }
        if let value = seconds(members["request_body_timeout_seconds"], at: "server.request_body_timeout_seconds") {
            server.requestBodyTimeout = value
        }
        if let value = seconds(members["shutdown_grace_seconds"], at: "server.shutdown_grace_seconds") {
            server.shutdownGracePeriod = value
        }
        return server
    }

    mutating func readStorage(_ node: Node?) -> StorageLocation {
        let fallback = StorageLocation.sqliteFile(path: "switchyard.db")
        guard let members = mapping(node, at: "storage", allowed: ["url"]),
            let url = string(members["url"], at: "storage.url")
        else { return fallback }
        if let location = StorageLocation(url: url) { return location }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            problem("storage.url", "PostgreSQL storage is not available in this version yet; use sqlite:FILE")
        } else {
            problem("storage.url", "expected sqlite:FILE or sqlite::memory:, got '\(url)'")
        }
        return fallback
    }

    mutating func readProviders(_ node: Node?) -> [ProviderSettings] {
        var providers: [ProviderSettings] = []
        var seen: Set<String> = []
        for (index, item) in sequence(node, at: "providers").enumerated() {
            let path = "providers[\(index)]"
            let allowed = [
                "name", "type", "base_url", "api_key", "headers", "timeout_seconds", "stream_idle_timeout_seconds",
                "connect_timeout_seconds", "total_timeout_seconds", "http2",
            ]
            guard let members = mapping(item, at: path, allowed: allowed) else { continue }
            let name = requiredString(members["name"], at: "\(path).name")
            if let name {
                if !seen.insert(name).inserted { problem("\(path).name", "another provider is already named \"\(name)\"") }
            }
            let kind = members["type"] == nil ? nil : choice(members["type"], at: "\(path).type", as: ProviderKind.self)
            if members["type"] == nil { problem("\(path).type", "is required") }
            let baseURL = readBaseURL(members["base_url"], at: "\(path).base_url", kind: kind)
            var timeouts = UpstreamTimeouts()
            if let value = seconds(members["timeout_seconds"], at: "\(path).timeout_seconds") { timeouts.firstByte = value }
            if let value = seconds(members["stream_idle_timeout_seconds"], at: "\(path).stream_idle_timeout_seconds") {
                timeouts.streamIdle = value
            }
            if let value = seconds(members["connect_timeout_seconds"], at: "\(path).connect_timeout_seconds") { timeouts.connect = value }
            timeouts.total = seconds(members["total_timeout_seconds"], at: "\(path).total_timeout_seconds")
            let headers = readHeaders(members["headers"], at: "\(path).headers")
            let http2 = bool(members["http2"], at: "\(path).http2") ?? false
            if http2, let baseURL, !baseURL.hasPrefix("https://") {
                problem("\(path).http2", "HTTP/2 is negotiated over TLS only; base_url must start with https://")
            }
            guard let name, let kind, let baseURL else { continue }
            providers.append(
                ProviderSettings(
                    name: name, kind: kind, baseURL: baseURL, apiKey: string(members["api_key"], at: "\(path).api_key"),
                    headers: headers, timeouts: timeouts, http2: http2))
        }
        return providers
    }

    private mutating func readBaseURL(_ node: Node?, at path: String, kind: ProviderKind?) -> String? {
        guard let text = string(node, at: path) ?? kind?.defaultBaseURL else { return nil }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        let scheme = url.prefix(while: { $0 != ":" })
        guard scheme == "http" || scheme == "https", url.dropFirst(scheme.count).hasPrefix("://"),
            url.count > scheme.count + 3
        else {
            problem(path, "expected an http:// or https:// URL, got '\(text)'")
            return nil
        }
        return url
    }

    private mutating func readHeaders(_ node: Node?, at path: String) -> [(name: String, value: String)] {
        guard let node, !isNull(node) else { return [] }
        guard case .mapping(let mapping) = node else {
            problem(path, "expected a mapping of header names to values")
            return []
        }
        var headers: [(name: String, value: String)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else { continue }
            let headerPath = join(path, key.string)
            let name = key.string
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                problem(headerPath, "'\(name)' is not a valid header name")
                continue
            }
            if ["host", "content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
                problem(headerPath, "the gateway sets '\(name)' itself")
                continue
            }
            let value = string(valueNode, at: headerPath) ?? ""
            if value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
                problem(headerPath, "header values cannot contain line breaks")
                continue
            }
            headers.append((name, value))
        }
        return headers
    }

    mutating func readModels(_ node: Node?, providers: [ProviderSettings]) -> [ModelRoute] {
        let providerNames = Set(providers.map(\.name))
        var models: [ModelRoute] = []
        var fallbackPaths: [(path: String, owner: String, names: [String])] = []
        var seen: Set<String> = []
        for (index, item) in sequence(node, at: "models").enumerated() {
            let path = "models[\(index)]"
            guard let members = mapping(item, at: path, allowed: ["name", "strategy", "targets", "fallbacks"]) else { continue }
            let name = requiredString(members["name"], at: "\(path).name")
            if let name, !seen.insert(name).inserted {
                problem("\(path).name", "another model is already named \"\(name)\"")
            }
            let strategy = choice(members["strategy"], at: "\(path).strategy", as: RoutingStrategy.self) ?? .roundRobin
            var targets: [Target] = []
            let targetNodes = sequence(members["targets"], at: "\(path).targets")
            if targetNodes.isEmpty, !problems.contains(where: { $0.path == "\(path).targets" }) {
                problem("\(path).targets", "needs at least one target")
            }
            for (targetIndex, targetNode) in targetNodes.enumerated() {
                if let target = readTarget(targetNode, at: "\(path).targets[\(targetIndex)]", providers: providerNames) {
                    targets.append(target)
                }
            }
            var fallbacks: [String] = []
            for (fallbackIndex, fallbackNode) in sequence(members["fallbacks"], at: "\(path).fallbacks").enumerated() {
                if let fallback = requiredString(fallbackNode, at: "\(path).fallbacks[\(fallbackIndex)]") { fallbacks.append(fallback) }
            }
            guard let name else { continue }
            fallbackPaths.append(("\(path).fallbacks", name, fallbacks))
            models.append(ModelRoute(name: name, strategy: strategy, targets: targets, fallbacks: fallbacks))
        }
        let modelNames = Set(models.map(\.name))
        for (path, owner, names) in fallbackPaths {
            for (index, fallback) in names.enumerated() {
                if fallback == owner {
                    problem("\(path)[\(index)]", "a model cannot fall back to itself")
                } else if !modelNames.contains(fallback) {
                    problem("\(path)[\(index)]", "no model named \"\(fallback)\"")
                }
            }
        }
        return models
    }

    private mutating func readTarget(_ node: Node, at path: String, providers: Set<String>) -> Target? {
        guard let members = mapping(node, at: path, allowed: ["provider", "model", "weight", "price"]) else { return nil }
        let provider = requiredString(members["provider"], at: "\(path).provider")
        if let provider, !providers.contains(provider) {
            problem("\(path).provider", "no provider named \"\(provider)\"")
        }
        let model = requiredString(members["model"], at: "\(path).model")
        let weight = number(members["weight"], at: "\(path).weight", minimum: 0, exclusive: true) ?? 1
        var price: Price?
        if let priceMembers = mapping(members["price"], at: "\(path).price", allowed: ["input", "output"]), !priceMembers.isEmpty {
            let input = number(priceMembers["input"], at: "\(path).price.input", minimum: 0)
            let output = number(priceMembers["output"], at: "\(path).price.output", minimum: 0)
            if priceMembers["input"] == nil { problem("\(path).price.input", "is required") }
            if priceMembers["output"] == nil { problem("\(path).price.output", "is required") }
            if let input, let output { price = Price(input: input, output: output) }
        } else {
            warning(path, "no price given, so requests to this target are counted as costing 0")
        }
        guard let provider, let model else { return nil }
        return Target(provider: provider, model: model, weight: weight, price: price)
    }
}
