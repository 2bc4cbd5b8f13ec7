import Foundation
import SwitchyardCore
import Yams

extension ConfigurationReader {
    mutating func readConfiguration(_ root: Node?) -> Configuration? {
        guard let members = mapping(root, at: "", allowed: [
                "server", "storage", "providers", "models", "router", "alerts", "metrics", "telemetry", "logging", "responses",
            ])
        else {
            return nil
        }
        let server = readServer(members["server"])
        let (storage, syncInterval) = readStorage(members["storage"])
        var webhook: String?
        if let alerts = mapping(members["alerts"], at: "alerts", allowed: ["webhook_url"]) {
            webhook = string(alerts["webhook_url"], at: "alerts.webhook_url")
            if let url = webhook, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                problem("alerts.webhook_url", "expected an http:// or https:// URL, got '\(url)'")
            }
        }
        let router = readRouter(members["router"])
        let providers = readProviders(members["providers"])
        let models = readModels(members["models"], providers: providers, defaultRetry: router.retry)
        var configuration = Configuration(
            server: server, storage: storage, providers: providers, models: models, router: router, alertWebhookURL: webhook,
            storageSyncInterval: syncInterval)
        if let metrics = mapping(members["metrics"], at: "metrics", allowed: ["require_key"]) {
            configuration.metricsRequireKey = bool(metrics["require_key"], at: "metrics.require_key") ?? false
        }
        configuration.telemetry = readTelemetry(members["telemetry"])
        configuration.logging = readLogging(members["logging"])
        if let responses = mapping(members["responses"], at: "responses", allowed: ["max_chain_depth", "retention_days"]) {
            if let depth = integer(responses["max_chain_depth"], at: "responses.max_chain_depth", in: 1...10_000) {
                configuration.responsesMaxChainDepth = depth
            }
            if let days = integer(responses["retention_days"], at: "responses.retention_days", in: 0...36_500) {
                configuration.responsesRetention = days == 0 ? nil : .seconds(days * 86_400)
            }
        }
        return configuration
    }

    mutating func readTelemetry(_ node: Node?) -> TelemetrySettings {
        var telemetry = TelemetrySettings()
        let allowed = ["otlp_endpoint", "otlp_protocol", "service_name", "sample_ratio", "export_interval_seconds"]
        guard let members = mapping(node, at: "telemetry", allowed: allowed) else { return telemetry }
        if let endpoint = string(members["otlp_endpoint"], at: "telemetry.otlp_endpoint") {
            if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") {
                telemetry.otlpEndpoint = endpoint
            } else {
                problem("telemetry.otlp_endpoint", "expected an http:// or https:// URL (OTLP/HTTP, e.g. http://collector:4318/v1/traces), got '\(endpoint)'")
            }
        }
        if let value = choice(members["otlp_protocol"], at: "telemetry.otlp_protocol", as: TelemetrySettings.OTLPProtocol.self) {
            telemetry.otlpProtocol = value
        }
        if let name = string(members["service_name"], at: "telemetry.service_name") { telemetry.serviceName = name }
        if let ratio = number(members["sample_ratio"], at: "telemetry.sample_ratio", minimum: 0) {
            if ratio > 1 { problem("telemetry.sample_ratio", "must be between 0 and 1, got \(ratio.formatted)") } else { telemetry.sampleRatio = ratio }
        }
        if let interval = seconds(members["export_interval_seconds"], at: "telemetry.export_interval_seconds") { telemetry.exportInterval = interval }
        return telemetry
    }

    /// The log levels swift-log knows, lowest first.
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    mutating func readLogging(_ node: Node?) -> LoggingSettings {
        var logging = LoggingSettings()
        let allowed = ["level", "format", "request_lines", "request_log", "bodies", "max_body_bytes", "retention_days"]
        guard let members = mapping(node, at: "logging", allowed: allowed) else { return logging }
        if let level = string(members["level"], at: "logging.level") {
            if Self.logLevels.contains(level.lowercased()) {
                logging.level = level.lowercased()
            } else {
                problem("logging.level", "'\(level)' is not a log level; expected one of: \(Self.logLevels.joined(separator: ", "))")
            }
        }
        if let format = choice(members["format"], at: "logging.format", as: LoggingSettings.Format.self) { logging.format = format }
        if let value = bool(members["request_lines"], at: "logging.request_lines") { logging.requestLines = value }
        if let value = bool(members["request_log"], at: "logging.request_log") { logging.requestLog = value }
        if let value = bool(members["bodies"], at: "logging.bodies") { logging.bodies = value }
        if let value = integer(members["max_body_bytes"], at: "logging.max_body_bytes", in: 1...(16 << 20)) { logging.maxBodyBytes = value }
        if let days = number(members["retention_days"], at: "logging.retention_days", minimum: 0) {
            // 0 keeps rows for good.
            if days > 36_500 {
                problem("logging.retention_days", "must be at most 36500 (100 years); 0 keeps rows for good")
            } else {
                logging.retention = days == 0 ? nil : .seconds(days * 86_400)
            }
        }
        if logging.bodies && !logging.requestLog {
            warning("logging.bodies", "has no effect while logging.request_log is false")
        }
        return logging
    }

    mutating func readServer(_ node: Node?) -> ServerSettings {
        var server = ServerSettings()
        let allowed = [
            "host", "port", "master_key", "max_body_bytes", "request_head_timeout_seconds", "request_body_timeout_seconds",
            "shutdown_grace_seconds", "max_connections", "max_buffered_body_bytes", "write_timeout_seconds", "final_flush_seconds",
            "keys_max_staleness_seconds",
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
        if let value = integer(members["max_connections"], at: "server.max_connections", in: 1...1_000_000) { server.maxConnections = value }
        if let value = integer(members["max_buffered_body_bytes"], at: "server.max_buffered_body_bytes", in: 1...(1 << 40)) {
            server.maxBufferedBodyBytes = value
        }
        if let value = seconds(members["write_timeout_seconds"], at: "server.write_timeout_seconds") { server.writeTimeout = value }
        if let value = seconds(members["final_flush_seconds"], at: "server.final_flush_seconds") { server.finalFlushBudget = value }
        if let value = seconds(members["keys_max_staleness_seconds"], at: "server.keys_max_staleness_seconds") { server.keysMaxStaleness = value }
        if server.maxBodyBytes > server.maxBufferedBodyBytes {
            problem(
                "server.max_buffered_body_bytes",
                "must be at least server.max_body_bytes (\(server.maxBodyBytes)), or the largest bodies allowed could never be read")
        }
        return server
    }

    mutating func readStorage(_ node: Node?) -> (StorageLocation, sync: Duration) {
        let fallback = StorageLocation.sqliteFile(path: "switchyard.db")
        guard let members = mapping(node, at: "storage", allowed: ["url", "sync_interval_seconds"]) else { return (fallback, .seconds(5)) }
        let sync = seconds(members["sync_interval_seconds"], at: "storage.sync_interval_seconds") ?? .seconds(5)
        guard let url = string(members["url"], at: "storage.url") else { return (fallback, sync) }
        if let location = StorageLocation(url: url) { return (location, sync) }
        problem("storage.url", "expected sqlite:FILE, \"sqlite::memory:\" or postgres://user:password@host:5432/database, got '\(url)'")
        return (fallback, sync)
    }

    mutating func readRouter(_ node: Node?) -> RouterSettings {
        var router = RouterSettings()
        let allowed = ["max_attempts", "deadline_seconds", "backoff_initial_ms", "backoff_max_ms", "circuit_breaker"]
        guard let members = mapping(node, at: "router", allowed: allowed) else { return router }
        router.retry.maxAttempts = integer(members["max_attempts"], at: "router.max_attempts", in: 1...100)
        if let value = seconds(members["deadline_seconds"], at: "router.deadline_seconds") { router.retry.deadline = value }
        if let value = integer(members["backoff_initial_ms"], at: "router.backoff_initial_ms", in: 0...600_000) {
            router.retry.initialBackoff = .milliseconds(value)
        }
        if let value = integer(members["backoff_max_ms"], at: "router.backoff_max_ms", in: 0...600_000) {
            router.retry.maximumBackoff = .milliseconds(value)
        }
        let breakerKeys = ["consecutive_failures", "error_rate", "min_requests", "window_seconds", "cooldown_seconds"]
        if let breaker = mapping(members["circuit_breaker"], at: "router.circuit_breaker", allowed: breakerKeys) {
            let path = "router.circuit_breaker"
            var policy = router.circuitBreaker
            if let value = integer(breaker["consecutive_failures"], at: "\(path).consecutive_failures", in: 1...10_000) {
                policy.consecutiveFailures = value
            }
            if let value = number(breaker["error_rate"], at: "\(path).error_rate", minimum: 0, exclusive: true) {
                if value > 1 { problem("\(path).error_rate", "must be at most 1") } else { policy.errorRate = value }
            }
            if let value = integer(breaker["min_requests"], at: "\(path).min_requests", in: 1...1_000_000) { policy.minimumRequests = value }
            if let value = seconds(breaker["window_seconds"], at: "\(path).window_seconds") { policy.window = value }
            if let value = seconds(breaker["cooldown_seconds"], at: "\(path).cooldown_seconds") { policy.cooldown = value }
            router.circuitBreaker = policy
        }
        return router
    }

    mutating func readProviders(_ node: Node?) -> [ProviderSettings] {
        var providers: [ProviderSettings] = []
        var seen: Set<String> = []
        for (index, item) in sequence(node, at: "providers").enumerated() {
            let path = "providers[\(index)]"
            let allowed = [
                "name", "type", "base_url", "api_key", "headers", "timeout_seconds", "stream_idle_timeout_seconds",
                "connect_timeout_seconds", "total_timeout_seconds", "http2", "api_version", "region", "aws_access_key_id",
                "aws_secret_access_key", "aws_session_token", "ca_file",
            ]
            guard let members = mapping(item, at: path, allowed: allowed) else { continue }
            let name = requiredString(members["name"], at: "\(path).name")
            if let name {
                if !seen.insert(name).inserted { problem("\(path).name", "another provider is already named \"\(name)\"") }
            }
            let kind = members["type"] == nil ? nil : choice(members["type"], at: "\(path).type", as: ProviderKind.self)
            if members["type"] == nil { problem("\(path).type", "is required") }
            let region = string(members["region"], at: "\(path).region")
            var baseURL = readBaseURL(members["base_url"], at: "\(path).base_url", kind: kind)
            if kind == .bedrock, baseURL == nil, members["base_url"] == nil {
                if let region {
                    baseURL = "https://bedrock-runtime.\(region).amazonaws.com"
                } else {
                    problem("\(path).region", "is required for type bedrock (or give base_url)")
                }
            }
            var aws: ProviderSettings.AWSKeys?
            let accessKey = string(members["aws_access_key_id"], at: "\(path).aws_access_key_id")
            let secretKey = string(members["aws_secret_access_key"], at: "\(path).aws_secret_access_key")
            if let accessKey, let secretKey {
                aws = .init(accessKeyID: accessKey, secretAccessKey: secretKey, sessionToken: string(members["aws_session_token"], at: "\(path).aws_session_token"))
            } else if (accessKey == nil) != (secretKey == nil) {
                problem("\(path).aws_secret_access_key", "aws_access_key_id and aws_secret_access_key go together")
            }
            if kind == .bedrock, aws == nil, members["api_key"] == nil, region != nil {
                problem("\(path).aws_access_key_id", "type bedrock needs aws_access_key_id and aws_secret_access_key, or api_key")
            }
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
            let caCertificates = readCertificateBundle(members["ca_file"], at: "\(path).ca_file")
            if caCertificates != nil, let baseURL, !baseURL.hasPrefix("https://") {
                warning("\(path).ca_file", "has no effect: certificates are checked over TLS only, and base_url is not https://")
            }
            if kind != nil, kind != .bedrock, baseURL == nil, members["base_url"] == nil {
                problem("\(path).base_url", "is required for type \(kind!.rawValue)")
            }
            let apiVersion = string(members["api_version"], at: "\(path).api_version") ?? kind?.defaultAPIVersion
            guard let name, let kind, let baseURL else { continue }
            providers.append(
                ProviderSettings(
                    name: name, kind: kind, baseURL: baseURL, apiKey: string(members["api_key"], at: "\(path).api_key"),
                    headers: headers, timeouts: timeouts, http2: http2, apiVersion: apiVersion, region: region, aws: aws,
                    caCertificatesPEM: caCertificates))
        }
        return providers
    }

    /// The text of the PEM file named at `path` (relative to the working directory), checked to hold one or more
    /// certificates and nothing malformed between their BEGIN and END lines.
    private mutating func readCertificateBundle(_ node: Node?, at path: String) -> String? {
        guard let file = string(node, at: path) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            problem(path, "cannot read '\(file)': \(error.localizedDescription)")
            return nil
        }
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var count = 0
        var rest = text
        while let opening = rest.range(of: begin) {
            guard let closing = rest.range(of: end, range: opening.upperBound..<rest.endIndex) else {
                problem(path, "'\(file)': certificate \(count + 1) has no '\(end)' line")
                return nil
            }
            let body = rest[opening.upperBound..<closing.lowerBound].filter { !$0.isWhitespace }
            // A certificate is a DER SEQUENCE: its first byte is 0x30.
            guard let der = Data(base64Encoded: String(body)), der.first == 0x30 else {
                problem(path, "'\(file)': certificate \(count + 1) is not valid base64-encoded DER")
                return nil
            }
            count += 1
            rest = String(rest[closing.upperBound...])
        }
        guard count > 0 else {
            problem(path, "'\(file)' holds no PEM certificate (a '\(begin)' block)")
            return nil
        }
        return text
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

    mutating func readModels(_ node: Node?, providers: [ProviderSettings], defaultRetry: RetryPolicy) -> [ModelRoute] {
        let providerNames = Set(providers.map(\.name))
        var models: [ModelRoute] = []
        var fallbackReferences: [(path: String, owner: String, names: [String])] = []
        var seen: Set<String> = []
        for (index, item) in sequence(node, at: "models").enumerated() {
            let path = "models[\(index)]"
            let allowed = [
                "name", "strategy", "targets", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "retry",
                "hedge_after_ms", "health_check",
            ]
            guard let members = mapping(item, at: path, allowed: allowed) else { continue }
            let name = requiredString(members["name"], at: "\(path).name")
            if let name, !seen.insert(name).inserted {
                problem("\(path).name", "another model is already named \"\(name)\"")
            }
            var route = ModelRoute(name: name ?? "", targets: [], retry: defaultRetry)
            route.strategy = choice(members["strategy"], at: "\(path).strategy", as: RoutingStrategy.self) ?? .roundRobin
            let targetNodes = sequence(members["targets"], at: "\(path).targets")
            if targetNodes.isEmpty, !problems.contains(where: { $0.path == "\(path).targets" }) {
                problem("\(path).targets", "needs at least one target")
            }
            for (targetIndex, targetNode) in targetNodes.enumerated() {
                if let target = readTarget(targetNode, at: "\(path).targets[\(targetIndex)]", providers: providerNames) {
                    route.targets.append(target)
                }
            }
            route.fallbacks = readNames(members["fallbacks"], at: "\(path).fallbacks")
            route.contextWindowFallbacks = readNames(members["context_window_fallbacks"], at: "\(path).context_window_fallbacks")
            route.contentPolicyFallbacks = readNames(members["content_policy_fallbacks"], at: "\(path).content_policy_fallbacks")
            if let retry = mapping(members["retry"], at: "\(path).retry", allowed: ["max_attempts", "deadline_seconds"]) {
                route.retry.maxAttempts = integer(retry["max_attempts"], at: "\(path).retry.max_attempts", in: 1...100) ?? route.retry.maxAttempts
                route.retry.deadline = seconds(retry["deadline_seconds"], at: "\(path).retry.deadline_seconds") ?? route.retry.deadline
            }
            route.hedgeAfter = integer(members["hedge_after_ms"], at: "\(path).hedge_after_ms", in: 1...3_600_000).map { .milliseconds($0) }
            if let check = mapping(members["health_check"], at: "\(path).health_check", allowed: ["interval_seconds", "model"]), !check.isEmpty {
                if let interval = seconds(check["interval_seconds"], at: "\(path).health_check.interval_seconds") {
                    route.healthCheck = HealthCheckSettings(interval: interval, model: string(check["model"], at: "\(path).health_check.model"))
                } else if check["interval_seconds"] == nil {
                    problem("\(path).health_check.interval_seconds", "is required")
                }
            }
            guard name != nil else { continue }
            for (key, names) in [
                ("fallbacks", route.fallbacks), ("context_window_fallbacks", route.contextWindowFallbacks),
                ("content_policy_fallbacks", route.contentPolicyFallbacks),
            ] {
                fallbackReferences.append(("\(path).\(key)", route.name, names))
            }
            models.append(route)
        }
        let modelNames = Set(models.map(\.name))
        for (path, owner, names) in fallbackReferences {
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

    private mutating func readNames(_ node: Node?, at path: String) -> [String] {
        sequence(node, at: path).enumerated().compactMap { index, item in requiredString(item, at: "\(path)[\(index)]") }
    }

    private mutating func readTarget(_ node: Node, at path: String, providers: Set<String>) -> Target? {
        guard let members = mapping(node, at: path, allowed: ["provider", "model", "weight", "price", "rpm", "tpm"]) else { return nil }
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
        let rpm = integer(members["rpm"], at: "\(path).rpm", in: 1...100_000_000)
        let tpm = integer(members["tpm"], at: "\(path).tpm", in: 1...1_000_000_000_000)
        guard let provider, let model else { return nil }
        return Target(provider: provider, model: model, weight: weight, price: price, rpm: rpm, tpm: tpm)
    }
}
