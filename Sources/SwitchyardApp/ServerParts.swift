import Foundation
import Logging
import SwitchyardConfig
import SwitchyardCore
import SwitchyardGateway
import SwitchyardProviders
import SwitchyardStorage
import SwitchyardTelemetry

/// What outlives a configuration reload: storage and what is kept of it in memory (keys, spend, limit counters,
/// the response cache), the writers and queues of the stateful features, the metrics registry, the trace exporter
/// and the master key. Built once per process; each configuration snapshot is assembled on top of it.
struct ServerParts: Sendable {
    let store: SQLGatewayStore
    let clients: UpstreamClients
    let logger: Logger
    let masterKey: SecretDigest
    /// The master key generated on this start because none was configured or stored.
    let generatedMasterKey: String?
    let directory: KeyDirectory
    let alerts: WebhookAlertSink?
    let prometheus: PrometheusMetrics
    let metrics: GatewayMetrics
    let spend: SpendLedger
    let traces: TraceExporter?
    let recorder: UsageRecorder
    /// Every secret any configuration of this process held, masked in the request log.
    let secrets: Swappable<[String]>
    /// Always made, so `logging.request_log` can be turned on by a reload; idle while it is off.
    let requestLog: BatchedWriter<RequestSummary>
    let requestStats: BatchedWriter<RequestStats>
    let limits: LimitLedger
    /// Always made, so entries stored while a model's cache was on can still be purged (and expire) after it is
    /// off; a model whose cache is off never reaches it.
    let cache: ResponseCache
    let contextRecords: ContextRecords
    let memory: LongTermMemory
    let background: BackgroundResponses
    let leases: ResponseLeases
    let replayPollers: ReplayPollers
    let responseStates: BatchedWriter<ResponseFinalState>
    let conversations: ConversationService
    let prompts: PromptLibrary
    let analytics: AnalyticsService
    let uiSessions: UISessions?
    let authenticator: Authenticator
    /// What the pruner deletes and after how long; a reload replaces it.
    let retentions: Swappable<[StoragePruner.Retention]>
    /// The process's log level and format, when its handlers follow them.
    let logSettings: LogSettings?

    /// Opens what the configuration's restart-only settings (server, storage, telemetry, UI, alerts, response
    /// leases) describe, and loads keys and spend from storage.
    static func make(
        _ configuration: Configuration, store: SQLGatewayStore, clients: UpstreamClients, logger: Logger, logSettings: LogSettings?
    ) async throws -> ServerParts {
        let (masterKey, generated) = try await resolveMasterKey(configuration.server.masterKey, store: store)
        let directory = KeyDirectory()
        let alerts = configuration.alertWebhookURL.map { WebhookAlertSink(url: $0, logger: logger) }
        let prometheus = PrometheusMetrics()
        let metrics = GatewayMetrics(factory: prometheus.factory, tenantFactory: prometheus.tenantFactory)
        let spend = SpendLedger(store: store, refreshInterval: configuration.storageSyncInterval, alerts: alerts, metrics: metrics, logger: logger)
        try await directory.refresh(from: store)
        try await spend.refresh()
        let traces = try TraceExporter.make(configuration.telemetry, logger: logger)
        let secrets = Swappable(configuration.secrets)
        let background = BackgroundResponses()
        return ServerParts(
            store: store, clients: clients, logger: logger, masterKey: masterKey, generatedMasterKey: generated, directory: directory,
            alerts: alerts, prometheus: prometheus, metrics: metrics, spend: spend, traces: traces,
            recorder: UsageRecorder(store: store, spend: spend, metrics: metrics, logger: logger), secrets: secrets,
            requestLog: BatchedWriter<RequestSummary>(requestLog: store, secrets: secrets, metrics: metrics, logger: logger),
            requestStats: BatchedWriter<RequestStats>(requestStats: store, metrics: metrics, logger: logger),
            limits: LimitLedger(metrics: metrics),
            cache: ResponseCache(store: store, memory: configuration.cacheMemory, metrics: metrics, logger: logger),
            contextRecords: ContextRecords(store: store, metrics: metrics, logger: logger),
            memory: LongTermMemory(store: store, logger: logger), background: background,
            leases: ResponseLeases(store: store, duration: configuration.responsesLease, logger: logger) { background.cancel(id: $0) },
            replayPollers: ReplayPollers(),
            responseStates: BatchedWriter<ResponseFinalState>(responses: store, metrics: metrics, logger: logger),
            conversations: ConversationService(store: store), prompts: PromptLibrary(store: store), analytics: AnalyticsService(store: store),
            uiSessions: configuration.ui.enabled ? UISessions(store: store, lifetime: configuration.ui.sessionLifetime, masterKey: masterKey) : nil,
            authenticator: Authenticator(masterKey: masterKey, directory: directory, maxStaleness: configuration.server.keysMaxStaleness),
            retentions: Swappable(Self.retentions(configuration, store: store)), logSettings: logSettings)
    }

    /// What the background pruner deletes, and after how long.
    static func retentions(_ configuration: Configuration, store: SQLGatewayStore) -> [StoragePruner.Retention] {
        var retentions = [StoragePruner.Retention(name: "idempotency_keys", keep: .seconds(24 * 3600)) { try await store.pruneIdempotencyKeys(before: $0) }]
        // Kept whether or not the request log is on now: a reload may turn it on or off.
        if let retention = configuration.logging.retention {
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
        return retentions
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
