

/// How a model orders its targets for each request.
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Each request starts at the next target in turn.
    case roundRobin = "round-robin"
    /// Targets are drawn at random in proportion to their weights.
    case weighted
    /// The target with the fewest requests in flight first.
    case leastBusy = "least-busy"
    /// The target with the lowest recent latency (time to first token for streams) first, exploring now and then.
    case lowestLatency = "lowest-latency"
    /// The cheapest target first, by configured price.
    case lowestCost = "lowest-cost"
}
