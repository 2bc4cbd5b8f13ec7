import Foundation
import Hummingbird
package import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals
package import SwitchyardConfig
import SwitchyardCore
import SwitchyardGateway
import SwitchyardHTTP
package import SwitchyardProviders
import SwitchyardStorage
import SwitchyardTelemetry

/// The composition root: builds storage, providers, the gateway and the HTTP server from a configuration, and
/// runs them as one service group. Used by `switchyard serve` and by the tests.
package final class SwitchyardServer: Sendable {
    /// The master key generated on this start because none was configured or stored; shown once, never again.
    package let generatedMasterKey: String?
    package let configuration: Configuration
    private let group: ServiceGroup
    private let clients: UpstreamClients
    private let store: any GatewayStore
    /// Flushes each batched writer, for the final flush after the server has stopped.
    private let writers: [@Sendable () async -> Void]
    private let finalFlushBudget: Duration

    private init(
        configuration: Configuration, generatedMasterKey: String?, group: ServiceGroup, clients: UpstreamClients,
        store: any GatewayStore, writers: [@Sendable () async -> Void], finalFlushBudget: Duration
    ) {
        self.writers = writers
        self.finalFlushBudget = finalFlushBudget
        self.configuration = configuration
        self.generatedMasterKey = generatedMasterKey
        self.group = group
        self.clients = clients
        self.store = store
    }

    /// Prepares everything the server needs; nothing listens until ``run()``.
    /// - Parameters:
    ///   - handleSignals: stop gracefully on SIGTERM and SIGINT (off in tests).
    ///   - onRunning: called with the bound port once the server accepts connections.
    package static func make(
        configuration: Configuration, logger: Logger, clients: UpstreamClients = UpstreamClients(), handleSignals: Bool = true,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> SwitchyardServer {
        let problems = ConfigurationCheck.problems(in: configuration)
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        let store = try await SQLGatewayStore.open(configuration.storage, logger: logger)
        let masterKey: SecretDigest
        var generated: String?
        do {
            (masterKey, generated) = try await resolveMasterKey(configuration.server.masterKey, store: store)
        } catch {
            try? await store.close()
            throw error
        }
        let directory = KeyDirectory()
        let alerts = configuration.alertWebhookURL.map { WebhookAlertSink(url: $0, logger: logger) }
        let prometheus = PrometheusMetrics()
        let metrics = GatewayMetrics(factory: prometheus.factory, tenantFactory: prometheus.tenantFactory)
        let spend = SpendLedger(store: store, refreshInterval: configuration.storageSyncInterval, alerts: alerts, metrics: metrics, logger: logger)
        do {
            try await directory.refresh(from: store)
            try await spend.refresh()
        } catch {
            try? await store.close()
            throw error
        }
        let traces: TraceExporter?
        do {
            traces = try TraceExporter.make(configuration.telemetry, logger: logger)
        } catch {
            try? await store.close()
            throw error
        }
        let recorder = UsageRecorder(store: store, spend: spend, metrics: metrics, logger: logger)
        let logging = configuration.logging
        let secrets = configuration.secrets
        let requestLog = logging.requestLog ? BatchedWriter<RequestSummary>(requestLog: store, secrets: secrets, metrics: metrics, logger: logger) : nil
        var providers: [String: any Provider] = [:]
        for settings in configuration.providers { providers[settings.name] = ProviderRegistry.make(settings, clients: clients) }
        let catalog = ModelCatalog(
            routes: configuration.models, providers: providers, circuitBreaker: configuration.router.circuitBreaker, metrics: metrics)
        let limits = LimitLedger(metrics: metrics)
        // Always made, so entries stored while a model's cache was on can still be purged (and expire) after it is off;
        // a model whose cache is off never reaches it.
        let cache = ResponseCache(store: store, memory: configuration.cacheMemory, metrics: metrics, logger: logger)
        let contextRecords = ContextRecords(store: store, metrics: metrics, logger: logger)
        let memory = LongTermMemory(store: store, logger: logger)
        var gateway = Gateway(
            catalog: catalog, limits: limits, meter: UsageMeter(recorder: recorder, spend: spend), cache: cache, contextRecords: contextRecords,
            memory: memory)
        do {
            // Made even when none are configured: a key or team may name one the configuration no longer has.
            gateway.guardrails = try GuardrailBook(configuration.guardrails)
        } catch {
            try? await store.close()
            throw error
        }
        var services = HTTPServices(
            gateway: gateway,
            authenticator: Authenticator(masterKey: masterKey, directory: directory, maxStaleness: configuration.server.keysMaxStaleness),
            administration: KeyAdministration(
                store: store, directory: directory, spend: spend, guardrailNames: Set(configuration.guardrails.map(\.name))),
            maxBodyBytes: configuration.server.maxBodyBytes,
            readiness: {
                do {
                    try await store.checkHealth()
                } catch {
                    return "storage is unreachable: \(error)"
                }
                let staleness = directory.staleness()
                if staleness > configuration.server.keysMaxStaleness {
                    return "keys not confirmed by storage for \(staleness.components.seconds) s; virtual keys are refused until they are"
                }
                return nil
            },
            configurationLoadedAt: Int(Date().timeIntervalSince1970))
        services.metrics = { prometheus.render(includingTenants: $0) }
        services.metricsRequireKey = configuration.metricsRequireKey
        services.observer = RequestObserver(
            metrics: metrics, tracer: traces?.tracer, requestLog: requestLog, requestLines: logging.requestLines ? LineLogHandler.lineSink(for: logger) : nil,
            captureLimit: logging.requestLog && logging.bodies ? logging.maxBodyBytes : nil, secrets: secrets)
        services.requestLog = logging.requestLog ? store : nil
        // The analytics are kept whether or not the request log is.
        let requestStats = BatchedWriter<RequestStats>(requestStats: store, metrics: metrics, logger: logger)
        services.observer.requestStats = requestStats
        services.analytics = AnalyticsService(store: store)
        if configuration.ui.enabled { services.uiSessions = UISessions(store: store, lifetime: configuration.ui.sessionLifetime, masterKey: masterKey) }
        let background = BackgroundResponses()
        let responseStates = BatchedWriter<ResponseFinalState>(responses: store, metrics: metrics, logger: logger)
        services.files = FileService(store: store, maxBytes: configuration.knowledge.maxFileBytes)
        let conversations = ConversationService(store: store)
        services.conversations = conversations
        var responses = ResponsesService(
            gateway: gateway, store: store, background: background, maximumChainDepth: configuration.responsesMaxChainDepth, logger: logger,
            finalStates: responseStates)
        responses.conversations = conversations
        let knowledge = KnowledgeBase(
            store: store, files: store, gateway: gateway, embeddingModel: configuration.knowledge.embeddingModel, logger: logger)
        services.vectorStores = VectorStoreService(knowledge: knowledge)
        responses.knowledge = knowledge
        // A file's embeddings are paid by the key that added it, while it exists; the master key's by the operator.
        let ingestor = KnowledgeIngestor(knowledge: knowledge) { keyID -> Caller?? in
            guard let keyID else { return .some(.master) }
            return directory.grant(keyID: keyID).map { .some(.virtualKey($0)) }
        }
        let prompts = PromptLibrary(store: store)
        do {
            for name in try await prompts.seed(configuration.prompts.map { ($0.name, $0.definition) }) {
                logger.warning("a prompt made through the admin API has this name: the configuration file's prompt is left out", metadata: ["prompt": "\(name)"])
            }
        } catch {
            try? await store.close()
            throw error
        }
        services.prompts = prompts
        services.promptAdministration = PromptAdministration(store: store, catalog: catalog) { try await store.team(id: $0) != nil }
        responses.prompts = prompts
        services.responses = responses
        services.idempotencyStore = store
        let server = GatewayHTTPServer.make(
            router: GatewayRouter.make(services), settings: configuration.server, authenticator: services.authenticator, metrics: metrics,
            uiEnabled: configuration.ui.enabled,
            onRunning: onRunning, logger: logger)
        // Services stop in reverse order: the writers and the trace exporter after the server, so the last
        // requests' records and spans are written.
        var observability: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let traces { observability.append(.init(service: traces.service)) }
        if let requestLog { observability.append(.init(service: requestLog)) }
        observability.append(.init(service: requestStats))
        var retentions = [StoragePruner.Retention(name: "idempotency_keys", keep: .seconds(24 * 3600)) { try await store.pruneIdempotencyKeys(before: $0) }]
        if let retention = logging.retention, logging.requestLog {
            retentions.append(StoragePruner.Retention(name: "request_logs", keep: retention) { try await store.pruneLogs(before: $0) })
        }
        if let retention = configuration.responsesRetention {
            retentions.append(StoragePruner.Retention(name: "responses", keep: retention) { try await store.pruneResponses(before: $0) })
        }
        retentions.append(
            StoragePruner.Retention(name: "request_stats", keep: configuration.ui.analyticsRetention) {
                try await store.pruneRequestStats(before: $0)
                return 0
            })
        retentions.append(StoragePruner.Retention(name: "ui_sessions", keep: .zero) {
            try await store.pruneSessions(before: $0)
            return 0
        })
        // Expired cache entries are never served; they are deleted once an hour.
        retentions.append(StoragePruner.Retention(name: "cache_entries", keep: .zero) { try await store.pruneCache(before: $0) })
        // Summaries and turn embeddings made over 30 days ago go; they are made again when needed.
        retentions.append(StoragePruner.Retention(name: "context", keep: .seconds(30 * 24 * 3600)) { try await store.pruneContext(before: $0) })
        observability.append(.init(service: StoragePruner(retentions, logger: logger), successTerminationBehavior: .ignore))
        var groupConfiguration = ServiceGroupConfiguration(
            services: observability + [
                // The prober ends at once when no model asks for health checks; that must not stop the server.
                .init(service: HealthProber(catalog: catalog, logger: logger), successTerminationBehavior: .ignore),
                .init(service: KeyDirectoryRefresher(directory: directory, store: store, limits: limits, spend: spend, metrics: metrics, logger: logger)),
                .init(service: spend),
                .init(service: LimitSync(ledger: limits, store: store, interval: min(.seconds(1), configuration.storageSyncInterval), logger: logger),
                    successTerminationBehavior: .ignore),
                .init(service: alerts ?? WebhookAlertSink.idle, successTerminationBehavior: .ignore),
                // Listed before the server, so they stop after it; what requests cut at the grace deadline record
                // is written by the final flush in `run()`, once the server has fully stopped.
                .init(service: recorder),
                .init(service: responseStates),
                .init(service: cache.writer),
                .init(service: contextRecords.summaryWriter),
                .init(service: contextRecords.embeddingWriter),
                .init(service: MemoryExtractor(gateway: gateway, memory: memory)),
                .init(service: ingestor),
                .init(service: background),
                .init(service: server),
            ],
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            cancellationSignals: [],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.server.shutdownGracePeriod
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        var writers: [@Sendable () async -> Void] = [{ await recorder.flush() }, { await responseStates.flush() }]
        if let requestLog { writers.append { await requestLog.flush() } }
        writers.append { await requestStats.flush() }
        writers.append { await cache.writer.flush() }
        writers.append { await contextRecords.summaryWriter.flush() }
        writers.append { await contextRecords.embeddingWriter.flush() }
        return SwitchyardServer(
            configuration: configuration, generatedMasterKey: generated, group: group, clients: clients, store: store, writers: writers,
            finalFlushBudget: configuration.server.finalFlushBudget)
    }

    /// Serves until a graceful shutdown (signal or ``shutdown()``) completes, then writes what the last requests
    /// recorded and releases connections.
    package func run() async throws {
        do {
            try await group.run()
        } catch {
            await flushWriters()
            try? await clients.shutdown()
            try? await store.close()
            throw error
        }
        await flushWriters()
        try await clients.shutdown()
        try await store.close()
    }

    /// Writes what is still queued, once the whole service group has returned: streams cut at the grace deadline
    /// settle as their tasks end, which can be after the writers' own last flush. Waits at most `finalFlushBudget`:
    /// a database write does not stop when cancelled, so a flush still running then is left behind (the process is
    /// ending) rather than awaited.
    private func flushWriters() async {
        let writers = self.writers
        let budget = finalFlushBudget
        let done = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let resume: @Sendable () -> Void = { done.withLock { $0.take() }?.resume() }
        await withCheckedContinuation { continuation in
            done.withLock { $0 = continuation }
            Task {
                for flush in writers { await flush() }
                resume()
            }
            Task {
                try? await Task.sleep(for: budget)
                resume()
            }
        }
    }

    /// Stops accepting connections and lets in-flight requests and streams finish, up to the grace period.
    package func shutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// The configured key, else the stored one, else a new one that is stored (as a digest) and returned.
    private static func resolveMasterKey(_ configured: String?, store: any GatewayStore) async throws -> (SecretDigest, String?) {
        if let configured { return (SecretDigest(of: configured), nil) }
        if let stored = try await store.masterKeyDigest() { return (stored, nil) }
        let key = SecretGenerator.makeKey()
        let digest = SecretDigest(of: key)
        try await store.saveMasterKeyDigest(digest)
        return (digest, key)
    }
}

extension Configuration {
    /// The secrets this configuration holds (provider keys, AWS credentials, the master key), masked as literals
    /// wherever they could appear in logs.
    var secrets: [String] {
        var secrets = providers.flatMap { provider in
            [provider.apiKey, provider.aws?.secretAccessKey, provider.aws?.sessionToken].compactMap { $0 }
        }
        if let masterKey = server.masterKey { secrets.append(masterKey) }
        return secrets
    }
}
