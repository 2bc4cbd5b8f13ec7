import Foundation
import Hummingbird
package import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals
package import SwitchyardConfig
package import SwitchyardCore
import SwitchyardGateway
import SwitchyardHTTP
package import SwitchyardProviders
import SwitchyardStorage
package import SwitchyardTelemetry

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
    private let reloader: ConfigurationReloader

    private init(
        configuration: Configuration, generatedMasterKey: String?, group: ServiceGroup, clients: UpstreamClients,
        store: any GatewayStore, writers: [@Sendable () async -> Void], finalFlushBudget: Duration, reloader: ConfigurationReloader
    ) {
        self.reloader = reloader
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
    ///   - source: reads the configuration again for a reload (SIGHUP, `POST /admin/reload`); by default the
    ///     reload applies `configuration` again.
    ///   - logSettings: the level and format the process's log handlers follow, changed by a reload; nil leaves
    ///     them to the caller.
    ///   - handleSignals: stop gracefully on SIGTERM and SIGINT, and reload on SIGHUP (off in tests).
    ///   - onRunning: called with the bound port once the server accepts connections.
    package static func make(
        configuration: Configuration, source: ConfigurationSource? = nil, logger: Logger, logSettings: LogSettings? = nil,
        clients: UpstreamClients = UpstreamClients(), handleSignals: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> SwitchyardServer {
        let problems = ConfigurationCheck.problems(in: configuration)
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        let store = try await SQLGatewayStore.open(configuration.storage, logger: logger)
        do {
            let parts = try await ServerParts.make(configuration, store: store, clients: clients, logger: logger, logSettings: logSettings)
            let reloader = ConfigurationReloader(parts: parts, source: source ?? { LoadedConfiguration(configuration: configuration, warnings: []) })
            let live = try await reloader.start(with: configuration)
            return SwitchyardServer(
                configuration: configuration, parts: parts, live: live, reloader: reloader, handleSignals: handleSignals, onRunning: onRunning)
        } catch {
            try? await store.close()
            throw error
        }
    }

    private convenience init(
        configuration: Configuration, parts: ServerParts, live: ConfigurationReloader.Live, reloader: ConfigurationReloader, handleSignals: Bool,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) {
        let store = parts.store
        let logger = parts.logger
        // A file's embeddings are paid by the key that added it, while it exists; the master key's by the operator.
        let directory = parts.directory
        let ingestor = KnowledgeIngestor(knowledge: live.knowledge) { keyID -> Caller?? in
            guard let keyID else { return .some(.master) }
            return directory.grant(keyID: keyID).map { .some(.virtualKey($0)) }
        }
        let server = GatewayHTTPServer.make(
            responders: live.responders, settings: configuration.server, authenticator: parts.authenticator, metrics: parts.metrics,
            uiEnabled: configuration.ui.enabled, onRunning: onRunning, logger: logger)
        // Services stop in reverse order: the writers and the trace exporter after the server, so the last
        // requests' records and spans are written.
        var observability: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let traces = parts.traces { observability.append(.init(service: traces.service)) }
        observability.append(.init(service: parts.requestLog))
        observability.append(.init(service: parts.requestStats))
        observability.append(.init(service: StoragePruner(parts.retentions, logger: logger), successTerminationBehavior: .ignore))
        var services = observability + [
            .init(service: live.prober, successTerminationBehavior: .ignore),
            .init(service: KeyDirectoryRefresher(directory: directory, store: store, limits: parts.limits, spend: parts.spend, metrics: parts.metrics, logger: logger)),
            .init(service: parts.spend),
            .init(service: LimitSync(ledger: parts.limits, store: store, interval: min(.seconds(1), configuration.storageSyncInterval), logger: logger),
                successTerminationBehavior: .ignore),
            .init(service: parts.alerts ?? WebhookAlertSink.idle, successTerminationBehavior: .ignore),
            // Listed before the server, so they stop after it; what requests cut at the grace deadline record
            // is written by the final flush in `run()`, once the server has fully stopped.
            .init(service: parts.recorder),
            .init(service: parts.responseStates),
            .init(service: parts.cache.writer),
            .init(service: parts.contextRecords.summaryWriter),
            .init(service: parts.contextRecords.embeddingWriter),
            .init(service: MemoryExtractor(gateways: live.gateways, memory: parts.memory)),
            .init(service: ingestor),
            // Stops after the background work, so the leases of responses still finishing are renewed meanwhile.
            .init(service: parts.leases),
            .init(service: parts.background),
        ]
        if handleSignals { services.append(.init(service: HangupReloader(reloader: reloader), successTerminationBehavior: .ignore)) }
        services.append(.init(service: server))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], cancellationSignals: [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.server.shutdownGracePeriod
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let writers: [@Sendable () async -> Void] = [
            { await parts.recorder.flush() }, { await parts.responseStates.flush() }, { await parts.requestLog.flush() },
            { await parts.requestStats.flush() }, { await parts.cache.writer.flush() }, { await parts.contextRecords.summaryWriter.flush() },
            { await parts.contextRecords.embeddingWriter.flush() },
        ]
        self.init(
            configuration: configuration, generatedMasterKey: parts.generatedMasterKey, group: ServiceGroup(configuration: groupConfiguration),
            clients: parts.clients, store: store, writers: writers, finalFlushBudget: configuration.server.finalFlushBudget, reloader: reloader)
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

    /// Reads the configuration again and puts it in force, as SIGHUP and `POST /admin/reload` do.
    package func reload() async -> ReloadOutcome {
        await reloader.reload()
    }
}
