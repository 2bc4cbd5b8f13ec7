import Foundation
import Hummingbird
import SwitchyardConfig
import SwitchyardCore
import SwitchyardGateway
import SwitchyardHTTP
import SwitchyardProviders
import SwitchyardStorage
import SwitchyardTelemetry

/// One configuration in force: its providers, routes, guardrails and prompts assembled on the process's
/// ``ServerParts``, and the router that serves requests with them. A reload assembles a new one beside the
/// running one and swaps it in; requests that began on the old one finish on it.
struct ServingSnapshot: Sendable {
    let configuration: Configuration
    let gateway: Gateway
    let responder: GatewayResponder

    /// Builds the gateway of `configuration`: the monitors of `previous` whose target and provider are unchanged are
    /// kept, with their circuits and measurements (none when the circuit breaker's policy changed).
    static func gateway(of configuration: Configuration, on parts: ServerParts, replacing previous: ServingSnapshot?) throws(ConfigurationError) -> Gateway {
        var providers: [String: any Provider] = [:]
        for settings in configuration.providers { providers[settings.name] = ProviderRegistry.make(settings, clients: parts.clients) }
        var carriedOver: [Target: TargetMonitor] = [:]
        if let previous, previous.configuration.router.circuitBreaker == configuration.router.circuitBreaker {
            let unchanged = Set(configuration.providers.filter { previous.configuration.providers.contains($0) }.map(\.name))
            for monitor in previous.gateway.catalog.monitors where unchanged.contains(monitor.target.provider) {
                carriedOver[monitor.target] = monitor
            }
        }
        let catalog = ModelCatalog(
            routes: configuration.models, providers: providers, circuitBreaker: configuration.router.circuitBreaker, metrics: parts.metrics,
            carriedOver: carriedOver)
        var gateway = Gateway(
            catalog: catalog, limits: parts.limits, meter: UsageMeter(recorder: parts.recorder, spend: parts.spend), cache: parts.cache,
            contextRecords: parts.contextRecords, memory: parts.memory)
        do {
            // Made even when none are configured: a key or team may name one the configuration no longer has.
            gateway.guardrails = try GuardrailBook(configuration.guardrails)
        } catch {
            throw ConfigurationError(problems: [ConfigurationProblem(path: "guardrails", message: "\(error)")])
        }
        return gateway
    }

    /// Assembles the snapshot of `configuration` around `gateway`.
    /// - Parameter reload: what `POST /admin/reload` runs.
    static func make(
        _ configuration: Configuration, gateway: Gateway, parts: ServerParts, knowledge: KnowledgeBase,
        reload: @escaping @Sendable () async -> ReloadOutcome
    ) -> ServingSnapshot {
        let store = parts.store
        let directory = parts.directory
        let logging = configuration.logging
        let keysMaxStaleness = configuration.server.keysMaxStaleness
        var services = HTTPServices(
            gateway: gateway, authenticator: parts.authenticator,
            administration: KeyAdministration(
                store: store, directory: directory, spend: parts.spend, guardrailNames: Set(configuration.guardrails.map(\.name))),
            maxBodyBytes: configuration.server.maxBodyBytes,
            readiness: {
                do {
                    try await store.checkHealth()
                } catch {
                    return "storage is unreachable: \(error)"
                }
                let staleness = directory.staleness()
                if staleness > keysMaxStaleness {
                    return "keys not confirmed by storage for \(staleness.components.seconds) s; virtual keys are refused until they are"
                }
                return nil
            },
            configurationLoadedAt: Int(Date().timeIntervalSince1970))
        let prometheus = parts.prometheus
        let metrics = parts.metrics
        services.metrics = { includingTenants in
            metrics.takeReadings()
            return prometheus.render(includingTenants: includingTenants)
        }
        services.metricsRequireKey = configuration.metricsRequireKey
        services.observer = RequestObserver(
            metrics: parts.metrics, tracer: parts.traces?.tracer, requestLog: logging.requestLog ? parts.requestLog : nil,
            requestLines: logging.requestLines ? LineLogHandler.lineSink(for: parts.logger) : nil,
            captureLimit: logging.requestLog && logging.bodies ? logging.maxBodyBytes : nil, secrets: configuration.secrets)
        services.requestLog = logging.requestLog ? store : nil
        // The analytics are kept whether or not the request log is.
        services.observer.requestStats = parts.requestStats
        services.analytics = parts.analytics
        services.uiSessions = parts.uiSessions
        services.files = FileService(store: store, maxBytes: configuration.knowledge.maxFileBytes)
        services.conversations = parts.conversations
        var responses = ResponsesService(
            gateway: gateway, store: store, background: parts.background, maximumChainDepth: configuration.responsesMaxChainDepth,
            logger: parts.logger, finalStates: parts.responseStates, pollers: parts.replayPollers)
        responses.leases = parts.leases
        responses.conversations = parts.conversations
        responses.knowledge = knowledge
        responses.prompts = parts.prompts
        services.vectorStores = VectorStoreService(knowledge: knowledge)
        services.prompts = parts.prompts
        services.promptAdministration = PromptAdministration(store: store, catalog: gateway.catalog) { try await store.team(id: $0) != nil }
        services.responses = responses
        services.idempotencyStore = store
        services.reload = reload
        return ServingSnapshot(configuration: configuration, gateway: gateway, responder: GatewayRouter.make(services))
    }
}
