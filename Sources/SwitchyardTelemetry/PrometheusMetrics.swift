package import CoreMetrics
import Prometheus

/// The Prometheus backend: a registry the gateway's metrics are made in, and its text exposition for `/metrics`.
/// Each server owns one, so servers in one process (tests) keep their figures apart.
///
/// Series labelled by key or team live in a registry of their own: `/metrics` shows them only to the master key,
/// so an anonymous scrape carries no tenant data.
package struct PrometheusMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let tenantRegistry = PrometheusCollectorRegistry()
    /// The factory to make metrics with (swift-metrics API).
    package let factory: any MetricsFactory
    /// The factory of the series labelled by key or team.
    package let tenantFactory: any MetricsFactory

    package init() {
        tenantFactory = PrometheusMetricsFactory(registry: tenantRegistry)
        var factory = PrometheusMetricsFactory(registry: registry)
        // 1 ms to 60 s: gateway overhead at one end, long generations at the other.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(20), .seconds(30), .seconds(60),
        ]
        // The gateway's own overhead is measured in microseconds: 50 µs to 1 s.
        factory.durationHistogramBuckets["switchyard_overhead_seconds"] = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        self.factory = factory
    }

    /// The text exposition format; `includingTenants` adds the series labelled by key or team.
    package func render(includingTenants: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        if includingTenants { tenantRegistry.emit(into: &bytes) }
        return bytes
    }
}
