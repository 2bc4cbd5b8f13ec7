import Foundation
import SwitchyardCore
import Yams

extension ConfigurationReader {
    mutating func readConfiguration(_ root: Node?) -> Configuration? {
        guard let members = mapping(root, at: "", allowed: [
                "server", "storage", "providers", "models", "router", "alerts", "metrics", "telemetry", "logging", "responses", "cache", "knowledge",
                "guardrails", "prompts", "ui",
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
        let (cache, cacheMemory) = readCache(members["cache"])
        let models = readModels(members["models"], providers: providers, defaultRetry: router.retry, defaultCache: cache)
        checkSemanticCache(models)
        checkContextModels(models)
        checkMemoryModels(models)
        let guardrails = readGuardrails(members["guardrails"], models: models, providers: providers)
        checkModelGuardrails(models, guardrails: guardrails)
        var configuration = Configuration(
            server: server, storage: storage, providers: providers, models: models, router: router, alertWebhookURL: webhook,
            storageSyncInterval: syncInterval)
        if let metrics = mapping(members["metrics"], at: "metrics", allowed: ["require_key"]) {
            configuration.metricsRequireKey = bool(metrics["require_key"], at: "metrics.require_key") ?? false
        }
        configuration.cacheMemory = cacheMemory
        configuration.knowledge = readKnowledge(members["knowledge"], models: models)
        configuration.guardrails = guardrails
        configuration.prompts = readPrompts(members["prompts"], models: models)
        configuration.ui = readUI(members["ui"])
        configuration.telemetry = readTelemetry(members["telemetry"])
        configuration.logging = readLogging(members["logging"])
        if let responses = mapping(members["responses"], at: "responses", allowed: ["max_chain_depth", "retention_days", "lease_seconds"]) {
            if let depth = integer(responses["max_chain_depth"], at: "responses.max_chain_depth", in: 1...10_000) {
                configuration.responsesMaxChainDepth = depth
            }
            if let days = integer(responses["retention_days"], at: "responses.retention_days", in: 0...36_500) {
                configuration.responsesRetention = days == 0 ? nil : .seconds(days * 86_400)
            }
            if let seconds = integer(responses["lease_seconds"], at: "responses.lease_seconds", in: 2...3600) {
                configuration.responsesLease = .seconds(seconds)
            }
        }
        return configuration
    }

    /// `ui:`: whether the admin web UI is served, how long its sessions last, how long analytics are kept.
    mutating func readUI(_ node: Node?) -> UISettings {
        var settings = UISettings()
        guard let members = mapping(node, at: "ui", allowed: ["enabled", "session_ttl_seconds", "analytics_retention_days"]) else { return settings }
        if let enabled = bool(members["enabled"], at: "ui.enabled") { settings.enabled = enabled }
        if let seconds = integer(members["session_ttl_seconds"], at: "ui.session_ttl_seconds", in: 1...(30 * 86_400)) {
            settings.sessionLifetime = .seconds(seconds)
        }
        if let days = integer(members["analytics_retention_days"], at: "ui.analytics_retention_days", in: 1...3650) {
            settings.analyticsRetention = .seconds(days * 86_400)
        }
        return settings
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
}
