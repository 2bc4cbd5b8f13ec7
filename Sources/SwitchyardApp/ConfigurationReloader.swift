import Hummingbird
import Logging
package import SwitchyardConfig
import SwitchyardCore
import SwitchyardGateway
import SwitchyardHTTP
import SwitchyardTelemetry

/// Reads the configuration again and gives it its own file's meaning: a typed snapshot validated whole.
package typealias ConfigurationSource = @Sendable () async throws -> LoadedConfiguration

/// Puts configurations in force: the first at start, later ones on SIGHUP or `POST /admin/reload`. A new
/// configuration is read, validated and assembled beside the running one, then swapped in at once; requests in
/// flight finish on the snapshot they started with. A configuration with problems is refused whole and the running
/// one keeps serving. Reloads run one at a time.
actor ConfigurationReloader {
    /// What the process holds that follows the configuration in force.
    struct Live: Sendable {
        let responders: Swappable<GatewayResponder>
        /// The gateway of the configuration in force, for the background work that outlives a request.
        let gateways: Swappable<Gateway>
        let knowledge: KnowledgeBase
        let prober: HealthProber
    }

    private let parts: ServerParts
    private let source: ConfigurationSource
    private var running: ServingSnapshot?
    private var live: Live?

    init(parts: ServerParts, source: @escaping ConfigurationSource) {
        self.parts = parts
        self.source = source
    }

    /// Puts the first configuration in force.
    func start(with configuration: Configuration) async throws -> Live {
        let gateway = try ServingSnapshot.gateway(of: configuration, on: parts, replacing: nil)
        try await seedPrompts(of: configuration)
        let knowledge = KnowledgeBase(
            store: parts.store, files: parts.store, gateway: gateway, embeddingModel: configuration.knowledge.embeddingModel, logger: parts.logger)
        let snapshot = makeSnapshot(configuration, gateway: gateway, knowledge: knowledge)
        let live = Live(
            responders: Swappable(snapshot.responder), gateways: Swappable(gateway), knowledge: knowledge,
            prober: HealthProber(catalog: gateway.catalog, logger: parts.logger))
        running = snapshot
        self.live = live
        return live
    }

    /// Reads the configuration again; applies it, or refuses it with every problem found. A reload asked for while
    /// another runs starts when that one has ended.
    func reload() async -> ReloadOutcome {
        let previous = latest
        let reload = Task {
            _ = await previous?.value
            return await self.perform()
        }
        latest = reload
        return await reload.value
    }

    private var latest: Task<ReloadOutcome, Never>?

    private func perform() async -> ReloadOutcome {
        guard let running, let live else { return .refused([.init(path: "", message: "The gateway has not started yet.")]) }
        let loaded: LoadedConfiguration
        do {
            loaded = try await source()
        } catch let error as ConfigurationError {
            return refuse(error.problems)
        } catch {
            return refuse([ConfigurationProblem(path: "", message: "The configuration could not be read: \(error)")])
        }
        let checked = ConfigurationCheck.problems(in: loaded.configuration)
        guard checked.isEmpty else { return refuse(checked) }
        let restartRequired = RestartOnlySettings.changes(from: running.configuration, to: loaded.configuration)
        let configuration = RestartOnlySettings.keeping(running.configuration, in: loaded.configuration)
        let gateway: Gateway
        do throws(ConfigurationError) {
            gateway = try ServingSnapshot.gateway(of: configuration, on: parts, replacing: running)
        } catch {
            return refuse(error.problems)
        }
        let snapshot = makeSnapshot(configuration, gateway: gateway, knowledge: live.knowledge)
        parts.secrets.replace(with: Array(Set(parts.secrets.current + configuration.secrets)))
        live.knowledge.use(gateway: gateway, embeddingModel: configuration.knowledge.embeddingModel)
        live.gateways.replace(with: gateway)
        live.prober.watch(gateway.catalog)
        parts.cache.resize(configuration.cacheMemory)
        parts.retentions.replace(with: ServerParts.retentions(configuration, store: parts.store))
        parts.logSettings?.update(level: Logger.Level(rawValue: configuration.logging.level) ?? .info, format: configuration.logging.format)
        live.responders.replace(with: snapshot.responder)
        self.running = snapshot
        var warnings = loaded.warnings
        // After the swap: storage trouble here leaves the prompts as they were, not the reload half done.
        do {
            try await seedPrompts(of: configuration)
        } catch {
            warnings.append(ConfigurationProblem(path: "prompts", message: "The file's prompts could not be stored; they keep their stored versions: \(error)"))
        }
        for warning in warnings { parts.logger.warning("configuration warning", metadata: ["problem": "\(warning)"]) }
        parts.logger.notice(
            "configuration reloaded",
            metadata: ["models": "\(configuration.models.count)", "restart_required": "\(restartRequired.joined(separator: ","))"])
        return .applied(restartRequired: restartRequired, warnings: warnings.map(Self.problem))
    }

    private func makeSnapshot(_ configuration: Configuration, gateway: Gateway, knowledge: KnowledgeBase) -> ServingSnapshot {
        ServingSnapshot.make(configuration, gateway: gateway, parts: parts, knowledge: knowledge) { [weak self] in
            await self?.reload() ?? .refused([.init(path: "", message: "The gateway is stopping.")])
        }
    }

    /// Stores the configuration's prompts as version 1 of each (a prompt made through the admin API keeps its own).
    private func seedPrompts(of configuration: Configuration) async throws {
        for name in try await parts.prompts.seed(configuration.prompts.map { ($0.name, $0.definition) }) {
            parts.logger.warning("a prompt made through the admin API has this name: the configuration file's prompt is left out", metadata: ["prompt": "\(name)"])
        }
    }

    private func refuse(_ problems: [ConfigurationProblem]) -> ReloadOutcome {
        parts.logger.error("configuration reload refused; the running configuration keeps serving", metadata: ["problems": "\(problems.map(\.description).joined(separator: "; "))"])
        return .refused(problems.map(Self.problem))
    }

    private static func problem(_ problem: ConfigurationProblem) -> ReloadOutcome.Problem {
        ReloadOutcome.Problem(path: problem.path, message: problem.message)
    }
}
