import Synchronization
import SwitchyardCore

/// Puts a model's targets in the order one request should try them, by the model's strategy.
enum TargetOrdering {
    /// Chance that lowest-latency tries a random target first, so a target that recovered is measured again.
    static let explorationRate = 0.1

    static func order(
        _ monitors: [TargetMonitor], strategy: RoutingStrategy, rotation: Int, streaming: Bool,
        using random: inout some RandomNumberGenerator
    ) -> [TargetMonitor] {
        guard monitors.count > 1 else { return monitors }
        // Every strategy breaks ties in round-robin order, so equal targets share the load.
        let start = rotation % monitors.count
        let rotated = Array(monitors[start...] + monitors[..<start])
        switch strategy {
        case .roundRobin:
            return rotated
        case .weighted:
            return weightedOrder(rotated, using: &random)
        case .leastBusy:
            return stableSorted(rotated) { Double($0.load) }
        case .lowestCost:
            return stableSorted(rotated) { monitor in monitor.target.price.map { $0.input + $0.output } ?? 0 }
        case .lowestLatency:
            var ordered = stableSorted(rotated) { monitor in
                let snapshot = monitor.snapshot()
                // A target never measured goes first: that is how it gets measured.
                return (streaming ? snapshot.timeToFirstToken ?? snapshot.latency : snapshot.latency ?? snapshot.timeToFirstToken) ?? 0
            }
            if Double.random(in: 0..<1, using: &random) < explorationRate {
                let pick = Int.random(in: 0..<ordered.count, using: &random)
                ordered.insert(ordered.remove(at: pick), at: 0)
            }
            return ordered
        }
    }

    /// Draws targets one by one, each with probability proportional to its weight among those left.
    private static func weightedOrder(_ monitors: [TargetMonitor], using random: inout some RandomNumberGenerator) -> [TargetMonitor] {
        var remaining = monitors
        var ordered: [TargetMonitor] = []
        ordered.reserveCapacity(monitors.count)
        while !remaining.isEmpty {
            let total = remaining.reduce(0) { $0 + $1.target.weight }
            var point = Double.random(in: 0..<total, using: &random)
            var index = remaining.count - 1
            for (candidate, monitor) in remaining.enumerated() {
                point -= monitor.target.weight
                if point < 0 {
                    index = candidate
                    break
                }
            }
            ordered.append(remaining.remove(at: index))
        }
        return ordered
    }

    private static func stableSorted(_ monitors: [TargetMonitor], by key: (TargetMonitor) -> Double) -> [TargetMonitor] {
        monitors.enumerated().map { (key($0.element), $0.offset, $0.element) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map(\.2)
    }
}
