package import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore

/// Active health checks: for each model with `health_check`, sends each of its targets a one-token chat request
/// every interval, so a target's circuit reflects its health before users hit it.
package struct HealthProber: Service {
    let catalog: ModelCatalog
    let logger: Logger

    package init(catalog: ModelCatalog, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// One target to probe, and how.
    struct Probe: Sendable {
        let monitor: TargetMonitor
        let provider: any Provider
        let upstreamModel: String
        let interval: Duration
        let publicModel: String
    }

    var probes: [Probe] {
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
        let probes = self.probes
        guard !probes.isEmpty else { return }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for probe in probes {
                    group.addTask { await self.loop(probe) }
                }
            }
        }
    }

    private func loop(_ probe: Probe) async {
        while !Task.isCancelled {
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
