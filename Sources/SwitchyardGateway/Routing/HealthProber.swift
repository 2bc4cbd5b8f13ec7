package import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore
import Synchronization

/// Active health checks: for each model with `health_check`, sends each of its targets a one-token chat request
/// every interval, so a target's circuit reflects its health before users hit it. A reloaded configuration's
/// catalog replaces the one probed.
package final class HealthProber: Service {
    private let catalogs: AsyncStream<ModelCatalog>
    private let nextCatalog: AsyncStream<ModelCatalog>.Continuation
    /// Counts the catalogs probed so far; a probe loop of an earlier one ends.
    private let generation = Atomic<Int>(0)
    let logger: Logger

    package init(catalog: ModelCatalog, logger: Logger) {
        self.logger = logger
        (catalogs, nextCatalog) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        nextCatalog.yield(catalog)
    }

    /// Probes `catalog`'s targets from now on, in place of the previous catalog's.
    package func watch(_ catalog: ModelCatalog) {
        nextCatalog.yield(catalog)
    }

    /// One target to probe, and how.
    struct Probe: Sendable {
        let monitor: TargetMonitor
        let provider: any Provider
        let upstreamModel: String
        let interval: Duration
        let publicModel: String
    }

    static func probes(in catalog: ModelCatalog) -> [Probe] {
        var seen: Set<Target> = []
        var probes: [Probe] = []
        for route in catalog.routes {
            guard let check = route.healthCheck, let entry = catalog.entry(route.name) else { continue }
            for monitor in entry.monitors where seen.insert(monitor.target).inserted {
                guard let provider = entry.providers[monitor.target.provider] else { continue }
                probes.append(
                    Probe(
                        monitor: monitor, provider: provider, upstreamModel: check.model ?? monitor.target.model, interval: check.interval,
                        publicModel: route.name))
            }
        }
        return probes
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await catalog in self.catalogs {
                    let current = self.generation.wrappingAdd(1, ordering: .relaxed).newValue
                    for probe in Self.probes(in: catalog) {
                        group.addTask { await self.loop(probe, generation: current) }
                    }
                }
            }
        }
    }

    private func loop(_ probe: Probe, generation current: Int) async {
        while !Task.isCancelled, generation.load(ordering: .relaxed) == current {
            await check(probe)
            do {
                try await Task.sleep(for: probe.interval)
            } catch {
                return
            }
        }
    }

    /// Sends one probe and records its verdict on the target's monitor.
    func check(_ probe: Probe) async {
        let body = ByteBuffer(string: #"{"model":"probe","messages":[{"role":"user","content":"ping"}],"max_tokens":1}"#)
        let request = ChatRequest(body: body, model: probe.publicModel, stream: false)
        let context = UpstreamContext(
            requestID: "health-check", logger: logger, stopwatch: UpstreamStopwatch(), deadline: .now + probe.interval)
        let start = ContinuousClock.now
        do {
            _ = try await probe.provider.chat(request, model: probe.upstreamModel, context: context)
            probe.monitor.recordProbe(success: true, error: nil, latency: .now - start)
        } catch is CancellationError {
            return
        } catch let error as GatewayError where !error.isRetryable {
            // The target answered: it refused the probe itself (a model that wants other parameters, say).
            probe.monitor.recordProbe(success: true, error: nil, latency: .now - start)
        } catch {
            let message = (error as? GatewayError)?.message ?? "\(error)"
            probe.monitor.recordProbe(success: false, error: message, latency: .now - start)
            logger.warning("health check failed", metadata: ["target": "\(probe.monitor.target.label)", "error": "\(message)"])
        }
    }
}
