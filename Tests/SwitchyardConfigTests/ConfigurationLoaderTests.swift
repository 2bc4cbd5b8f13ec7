import Foundation
import SwitchyardConfig
import SwitchyardCore
import Testing

@Suite("Configuration loading and validation")
struct ConfigurationLoaderTests {
    func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigurationLoader(environment: environment).load(yaml: yaml)
    }

    func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(yaml, environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("a full configuration becomes typed values, with environment interpolation")
    func fullConfiguration() throws {
        let yaml = """
            server:
              host: 0.0.0.0
              port: ${PORT:-9090}
              master_key: ${MASTER}
              max_body_bytes: 1_048_576
            storage:
              url: "sqlite::memory:"
            providers:
              - name: openai
                type: openai
                api_key: ${OPENAI_API_KEY}
                timeout_seconds: 2.5
                stream_idle_timeout_seconds: 30
                headers: {OpenAI-Organization: org-1}
              - name: local
                type: openai
                base_url: http://127.0.0.1:8000/v1/
            models:
              - name: chat
                strategy: round-robin
                targets:
                  - {provider: openai, model: gpt-4o-mini, weight: 2, price: {input: 0.15, output: 0.6}}
                  - {provider: local, model: meta-llama/Llama-3.1-8B-Instruct, price: {input: 0, output: 0}}
                fallbacks: [backup]
              - name: backup
                targets: [{provider: local, model: small, price: {input: 0, output: 0}}]
            """
        let loaded = try load(yaml, environment: ["MASTER": "sk-master-123", "OPENAI_API_KEY": "sk-openai"])
        let configuration = loaded.configuration
        #expect(loaded.warnings.isEmpty)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 9090)
        #expect(configuration.server.masterKey == "sk-master-123")
        #expect(configuration.server.maxBodyBytes == 1_048_576)
        #expect(configuration.storage == .sqliteInMemory)
        #expect(configuration.providers[0].baseURL == "https://api.openai.com/v1")
        #expect(configuration.providers[0].apiKey == "sk-openai")
        #expect(configuration.providers[0].timeouts.firstByte == .milliseconds(2500))
        #expect(configuration.providers[0].headers.first?.name == "OpenAI-Organization")
        #expect(configuration.providers[1].baseURL == "http://127.0.0.1:8000/v1")
        #expect(configuration.providers[1].apiKey == nil)
        #expect(configuration.models[0].targets[0] == Target(provider: "openai", model: "gpt-4o-mini", weight: 2, price: Price(input: 0.15, output: 0.6)))
        #expect(configuration.models[0].fallbacks == ["backup"])
    }

    @Test("every problem is reported with its key path", arguments: [
        ("models:\n  - name: m\n    targets: [{provider: opena1, model: x}]", "models[0].targets[0].provider: no provider named \"opena1\""),
        ("server:\n  prot: 80", "server.prot: unknown key"),
        ("server:\n  port: eighty", "server.port: expected a whole number, got 'eighty'"),
        ("server:\n  port: 70000", "server.port: must be between 0 and 65535"),
        ("providers:\n  - name: a\n    type: openia", "providers[0].type: 'openia' is not supported"),
        ("providers:\n  - name: a", "providers[0].type: is required"),
        ("providers:\n  - name: a\n    type: openai\n    base_url: ftp://x", "providers[0].base_url: expected an http:// or https:// URL"),
        ("providers:\n  - {name: a, type: openai}\n  - {name: a, type: openai}", "providers[1].name: another provider is already named \"a\""),
        ("providers:\n  - {name: a, type: openai, timeout_seconds: -1}", "providers[0].timeout_seconds: must be greater than 0"),
        ("providers:\n  - {name: a, type: openai, timeout_seconds: 1e300}", "providers[0].timeout_seconds: must be at most 1000000000 seconds"),
        ("server:\n  write_timeout_seconds: 1e20", "server.write_timeout_seconds: must be at most 1000000000 seconds"),
        ("server:\n  max_connections: 0", "server.max_connections: must be between 1 and 1000000"),
        ("server:\n  max_body_bytes: 2000\n  max_buffered_body_bytes: 1000", "server.max_buffered_body_bytes: must be at least server.max_body_bytes"),
        ("models:\n  - name: m\n    targets: []", "models[0].targets: needs at least one target"),
        ("models:\n  - name: m\n    fallbacks: [ghost]\n    targets: [{provider: p, model: x}]\nproviders: [{name: p, type: openai}]", "models[0].fallbacks[0]: no model named \"ghost\""),
        ("models:\n  - name: m\n    strategy: fastest\n    targets: [{provider: p, model: x}]\nproviders: [{name: p, type: openai}]", "models[0].strategy: 'fastest' is not supported; expected one of: 'round-robin', 'weighted', 'least-busy', 'lowest-latency', 'lowest-cost'"),
        ("storage:\n  url: mysql://x", "storage.url: expected sqlite:FILE, \"sqlite::memory:\" or postgres://"),
        ("server:\n  master_key: ${UNCLOSED", "server.master_key: '${' without a closing '}'"),
        ("server: [1, 2]", "server: expected a mapping"),
        ("- just\n- a list", "expected a mapping"),
        ("key: [unbalanced", "not valid YAML"),
    ])
    func problemPaths(yaml: String, expected: String) {
        let found = problems(yaml)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test("routing settings: strategies, capacities, retries, fallbacks, hedging, health checks, breakers")
    func routing() throws {
        let yaml = """
            router:
              max_attempts: 4
              deadline_seconds: 30
              backoff_initial_ms: 50
              backoff_max_ms: 2000
              circuit_breaker: {consecutive_failures: 2, error_rate: 0.25, min_requests: 4, window_seconds: 10, cooldown_seconds: 5}
            providers: [{name: p, type: openai}]
            models:
              - name: chat
                strategy: lowest-latency
                targets: [{provider: p, model: a, rpm: 100, tpm: 50000, price: {input: 1, output: 1}}]
                context_window_fallbacks: [big]
                content_policy_fallbacks: [big]
                retry: {max_attempts: 2}
                hedge_after_ms: 250
                health_check: {interval_seconds: 15, model: tiny}
              - name: big
                strategy: weighted
                targets: [{provider: p, model: b, weight: 2, price: {input: 1, output: 1}}]
            """
        let configuration = try load(yaml).configuration
        #expect(configuration.router.retry.maxAttempts == 4)
        #expect(configuration.router.retry.deadline == .seconds(30))
        #expect(configuration.router.retry.initialBackoff == .milliseconds(50))
        #expect(configuration.router.circuitBreaker == CircuitBreakerPolicy(consecutiveFailures: 2, errorRate: 0.25, minimumRequests: 4, window: .seconds(10), cooldown: .seconds(5)))
        let chat = configuration.models[0]
        #expect(chat.strategy == .lowestLatency)
        #expect(chat.targets[0].rpm == 100 && chat.targets[0].tpm == 50000)
        #expect(chat.contextWindowFallbacks == ["big"] && chat.contentPolicyFallbacks == ["big"])
        #expect(chat.retry.maxAttempts == 2)
        #expect(chat.retry.deadline == .seconds(30), "the model inherits what it does not override")
        #expect(chat.hedgeAfter == .milliseconds(250))
        #expect(chat.healthCheck == HealthCheckSettings(interval: .seconds(15), model: "tiny"))
        #expect(configuration.models[1].strategy == .weighted)
        #expect(configuration.models[1].retry.maxAttempts == 4)
    }

    @Test("invalid routing settings are reported with their key paths", arguments: [
        ("router:\n  circuit_breaker: {error_rate: 2}", "router.circuit_breaker.error_rate: must be at most 1"),
        ("router:\n  max_attempts: 0", "router.max_attempts: must be between 1 and 100"),
        ("providers: [{name: p, type: openai}]\nmodels: [{name: m, targets: [{provider: p, model: x, rpm: -1}]}]", "models[0].targets[0].rpm: must be between"),
        ("providers: [{name: p, type: openai}]\nmodels: [{name: m, targets: [{provider: p, model: x}], context_window_fallbacks: [nope]}]", "models[0].context_window_fallbacks[0]: no model named \"nope\""),
        ("providers: [{name: p, type: openai}]\nmodels: [{name: m, targets: [{provider: p, model: x}], health_check: {model: y}}]", "models[0].health_check.interval_seconds: is required"),
        ("providers: [{name: p, type: openai}]\nmodels: [{name: m, targets: [{provider: p, model: x}], hedge_after_ms: soon}]", "models[0].hedge_after_ms: expected a whole number"),
    ])
    func routingProblems(yaml: String, expected: String) {
        let found = problems(yaml)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test("telemetry and logging settings become typed values; defaults keep tracing off and the request log on")
    func observability() throws {
        let defaults = try load("providers: []").configuration
        #expect(defaults.telemetry.otlpEndpoint == nil)
        #expect(defaults.logging == LoggingSettings())
        #expect(defaults.logging.requestLog && !defaults.logging.bodies && defaults.logging.format == .json)
        let yaml = """
            telemetry:
              otlp_endpoint: http://collector:4318/v1/traces
              otlp_protocol: http/json
              service_name: gateway-eu
              sample_ratio: 0.25
              export_interval_seconds: 2
            logging:
              level: warning
              format: text
              request_lines: false
              bodies: true
              max_body_bytes: 4096
              retention_days: 7
            """
        let configuration = try load(yaml).configuration
        #expect(
            configuration.telemetry
                == TelemetrySettings(
                    otlpEndpoint: "http://collector:4318/v1/traces", otlpProtocol: .httpJSON, serviceName: "gateway-eu", sampleRatio: 0.25,
                    exportInterval: .seconds(2)))
        #expect(
            configuration.logging
                == LoggingSettings(
                    level: "warning", format: .text, requestLines: false, requestLog: true, bodies: true, maxBodyBytes: 4096,
                    retention: .seconds(7 * 86_400)))
        #expect(try load("logging:\n  retention_days: 0").configuration.logging.retention == nil)
        #expect(try load("responses:\n  max_chain_depth: 7").configuration.responsesMaxChainDepth == 7)
        #expect(defaults.responsesMaxChainDepth == 100)
    }

    @Test("invalid telemetry and logging settings are reported with their key paths", arguments: [
        ("telemetry:\n  otlp_endpoint: collector:4317", "telemetry.otlp_endpoint: expected an http:// or https:// URL"),
        ("telemetry:\n  otlp_protocol: grpc", "telemetry.otlp_protocol: 'grpc' is not supported"),
        ("telemetry:\n  sample_ratio: 2", "telemetry.sample_ratio: must be between 0 and 1"),
        ("logging:\n  level: loud", "logging.level: 'loud' is not a log level"),
        ("logging:\n  format: xml", "logging.format: 'xml' is not supported"),
        ("logging:\n  max_body_bytes: 0", "logging.max_body_bytes: must be between"),
        ("logging:\n  retention_days: -1", "logging.retention_days: must be at least 0"),
        ("logging:\n  bodys: true", "logging.bodys: unknown key"),
        ("responses:\n  max_chain_depth: 0", "responses.max_chain_depth: must be between 1 and 10000"),
    ])
    func observabilityProblems(yaml: String, expected: String) {
        let found = problems(yaml)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test("each provider type gets its defaults and its required settings")
    func providerTypes() throws {
        let yaml = """
            providers:
              - {name: claude, type: anthropic, api_key: k}
              - {name: google, type: gemini, api_key: k}
              - {name: azure, type: azure-openai, base_url: "https://acme.openai.azure.com/openai", api_key: k}
              - {name: local, type: ollama}
              - {name: aws, type: bedrock, region: eu-west-1, aws_access_key_id: AKID, aws_secret_access_key: secret, aws_session_token: token}
            """
        let providers = try load(yaml).configuration.providers
        #expect(providers.map(\.baseURL) == [
            "https://api.anthropic.com/v1", "https://generativelanguage.googleapis.com/v1beta", "https://acme.openai.azure.com/openai",
            "http://127.0.0.1:11434", "https://bedrock-runtime.eu-west-1.amazonaws.com",
        ])
        #expect(providers[2].apiVersion == "2024-10-21")
        #expect(providers[4].aws == ProviderSettings.AWSKeys(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token"))
        #expect(providers[4].region == "eu-west-1")
    }

    @Test("provider types' required settings are reported", arguments: [
        ("providers: [{name: a, type: azure-openai, api_key: k}]", "providers[0].base_url: is required for type azure-openai"),
        ("providers: [{name: b, type: bedrock, aws_access_key_id: x, aws_secret_access_key: y}]", "providers[0].region: is required for type bedrock"),
        ("providers: [{name: b, type: bedrock, region: us-east-1}]", "providers[0].aws_access_key_id: type bedrock needs"),
        ("providers: [{name: b, type: bedrock, region: us-east-1, aws_access_key_id: x}]", "providers[0].aws_secret_access_key: aws_access_key_id and aws_secret_access_key go together"),
        ("providers: [{name: x, type: cohere}]", "providers[0].type: 'cohere' is not supported; expected one of: 'openai', 'anthropic', 'azure-openai', 'gemini', 'ollama', 'bedrock'"),
    ])
    func providerProblems(yaml: String, expected: String) {
        let found = problems(yaml)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test("several problems are reported together")
    func severalProblems() {
        let found = problems("server:\n  port: x\n  host: [a]\nextra: 1")
        #expect(found.count == 3, "\(found)")
    }

    @Test("unset variables become empty with a warning; $${ is a literal")
    func interpolation() throws {
        let loaded = try load("server:\n  master_key: ${NOT_SET}\n  host: \"$${HOST}\"")
        #expect(loaded.configuration.server.masterKey == nil)
        #expect(loaded.configuration.server.host == "${HOST}")
        #expect(loaded.warnings.map(\.description) == ["server.master_key: environment variable NOT_SET is not set; using an empty value"])
    }

    @Test("a variable's value never changes the structure of the file")
    func interpolationIsScalar() throws {
        let loaded = try load("server:\n  host: ${EVIL}", environment: ["EVIL": "x\n  port: 1"])
        #expect(loaded.configuration.server.host == "x\n  port: 1")
        #expect(loaded.configuration.server.port == 8080)
    }

    @Test("a target without a price warns that it costs 0")
    func priceWarning() throws {
        let loaded = try load("providers: [{name: p, type: openai}]\nmodels: [{name: m, targets: [{provider: p, model: x}]}]")
        #expect(loaded.warnings.map(\.description) == ["models[0].targets[0]: no price given, so requests to this target are counted as costing 0"])
    }

    @Test("the shipped example configuration is valid")
    func exampleFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../switchyard.example.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let loaded = try load(text, environment: ["OPENAI_API_KEY": "sk-x", "SWITCHYARD_MASTER_KEY": "sk-master-key"])
        #expect(!loaded.configuration.models.isEmpty)
    }
}
