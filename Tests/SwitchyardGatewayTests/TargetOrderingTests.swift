import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardGateway

/// Each routing strategy's order, with its randomness seeded so every run draws the same.
@Suite("Target ordering")
struct TargetOrderingTests {
    let start = ContinuousClock.now

    static func monitors(_ targets: Target...) -> [TargetMonitor] {
        targets.map { TargetMonitor(target: $0, breaker: CircuitBreakerPolicy()) }
    }

    static func monitors(_ models: String...) -> [TargetMonitor] {
        models.map { TargetMonitor(target: Target(provider: "up", model: $0), breaker: CircuitBreakerPolicy()) }
    }

    /// The upstream models in the order `strategy` tries them.
    static func order(
        _ monitors: [TargetMonitor], _ strategy: RoutingStrategy, rotation: Int = 0, streaming: Bool = false,
        using random: inout some RandomNumberGenerator
    ) -> [String] {
        TargetOrdering.order(monitors, strategy: strategy, rotation: rotation, streaming: streaming, using: &random).map(\.target.model)
    }

    /// The order without any random draw mattering: the generator never makes lowest-latency explore.
    static func order(_ monitors: [TargetMonitor], _ strategy: RoutingStrategy, rotation: Int = 0, streaming: Bool = false) -> [String] {
        var random = NeverExploring()
        return order(monitors, strategy, rotation: rotation, streaming: streaming, using: &random)
    }

    /// Gives `monitor` one finished request of `latency`, with `timeToFirstToken` when set.
    func measure(_ monitor: TargetMonitor, latency: Duration, timeToFirstToken: Duration? = nil) throws {
        let lease = try monitor.admit(estimatedTokens: 1, at: start).get()
        lease.finish(.success, timeToFirstToken: timeToFirstToken, at: start + latency)
    }

    @Test("round-robin starts at the rotation and keeps the configured order from there")
    func roundRobin() {
        let monitors = Self.monitors("a", "b", "c")
        #expect(Self.order(monitors, .roundRobin, rotation: 0) == ["a", "b", "c"])
        #expect(Self.order(monitors, .roundRobin, rotation: 1) == ["b", "c", "a"])
        #expect(Self.order(monitors, .roundRobin, rotation: 2) == ["c", "a", "b"])
        #expect(Self.order(monitors, .roundRobin, rotation: 4) == ["b", "c", "a"], "the rotation wraps")
    }

    @Test("a single target is its own order, whatever the strategy", arguments: RoutingStrategy.allCases)
    func singleTarget(strategy: RoutingStrategy) {
        #expect(Self.order(Self.monitors("only"), strategy, rotation: 7) == ["only"])
    }

    @Test("weighted draws the first target in proportion to the weights, and still lists every target once")
    func weighted() {
        let monitors = Self.monitors(Target(provider: "up", model: "heavy", weight: 3), Target(provider: "up", model: "light", weight: 1))
        var random = SeededGenerator(seed: 42)
        var heavyFirst = 0
        let draws = 4000
        for rotation in 0..<draws {
            let order = Self.order(monitors, .weighted, rotation: rotation, using: &random)
            #expect(order.sorted() == ["heavy", "light"])
            if order.first == "heavy" { heavyFirst += 1 }
        }
        let share = Double(heavyFirst) / Double(draws)
        #expect((0.71...0.79).contains(share), "weight 3 of 4 should come first about 75% of the time, came \(share)")
    }

    @Test("least-busy puts the target with the fewest requests in flight first, ties in rotation order")
    func leastBusy() throws {
        let monitors = Self.monitors("a", "b", "c")
        let leases = try [0, 0, 2].map { try monitors[$0].admit(estimatedTokens: 1, at: start).get() }
        withExtendedLifetime(leases) {
            // In flight: a 2, b 0, c 1.
            #expect(Self.order(monitors, .leastBusy) == ["b", "c", "a"])
        }
        let more = try [1, 1].map { try monitors[$0].admit(estimatedTokens: 1, at: start).get() }
        withExtendedLifetime((leases, more)) {
            // In flight: a 2, b 2, c 1: a and b tie, in rotation order.
            #expect(Self.order(monitors, .leastBusy, rotation: 0) == ["c", "a", "b"])
            #expect(Self.order(monitors, .leastBusy, rotation: 1) == ["c", "b", "a"])
        }
    }

    @Test("lowest-cost puts the cheapest target first; one without a price counts as free; ties in rotation order")
    func lowestCost() {
        let monitors = Self.monitors(
            Target(provider: "up", model: "large", price: Price(input: 3, output: 15)),
            Target(provider: "up", model: "small", price: Price(input: 0.15, output: 0.6)),
            Target(provider: "up", model: "local"))
        #expect(Self.order(monitors, .lowestCost) == ["local", "small", "large"])
        let equal = Self.monitors(
            Target(provider: "up", model: "a", price: Price(input: 1, output: 1)), Target(provider: "up", model: "b", price: Price(input: 1, output: 1)),
            Target(provider: "up", model: "c", price: Price(input: 1, output: 1)))
        #expect(Self.order(equal, .lowestCost, rotation: 2) == ["c", "a", "b"])
    }

    @Test("lowest-latency puts the fastest first; a target never measured goes first so it gets measured")
    func lowestLatency() throws {
        let monitors = Self.monitors("slow", "fast", "middle", "new")
        try measure(monitors[0], latency: .milliseconds(900))
        try measure(monitors[1], latency: .milliseconds(100))
        try measure(monitors[2], latency: .milliseconds(400))
        #expect(Self.order(monitors, .lowestLatency) == ["new", "fast", "middle", "slow"])
    }

    @Test("lowest-latency ranks streams by time to first token, other requests by whole latency")
    func lowestLatencyStreaming() throws {
        let monitors = Self.monitors("quick-start", "quick-finish")
        try measure(monitors[0], latency: .milliseconds(2000), timeToFirstToken: .milliseconds(50))
        try measure(monitors[1], latency: .milliseconds(300), timeToFirstToken: .milliseconds(250))
        #expect(Self.order(monitors, .lowestLatency, streaming: false) == ["quick-finish", "quick-start"])
        #expect(Self.order(monitors, .lowestLatency, streaming: true) == ["quick-start", "quick-finish"])
    }

    @Test("lowest-latency explores about one request in ten, moving one target to the front")
    func lowestLatencyExplores() throws {
        let monitors = Self.monitors("slow", "fast", "middle")
        try measure(monitors[0], latency: .milliseconds(900))
        try measure(monitors[1], latency: .milliseconds(100))
        try measure(monitors[2], latency: .milliseconds(400))
        let sorted = ["fast", "middle", "slow"]
        var random = SeededGenerator(seed: 7)
        var displaced = 0
        let draws = 4000
        for _ in 0..<draws {
            let order = Self.order(monitors, .lowestLatency, using: &random)
            // Exploring moves one target to the front and keeps the others in order.
            let first = try #require(order.first)
            #expect(Array(order.dropFirst()) == sorted.filter { $0 != first })
            if first != "fast" { displaced += 1 }
        }
        // Exploration happens 10% of the time and picks another target than the fastest two times in three.
        let share = Double(displaced) / Double(draws)
        #expect((0.04...0.095).contains(share), "expected about 6.7%, got \(share)")
    }
}

/// Always the largest value: every uniform draw in `0..<1` comes out just below 1, so lowest-latency never explores.
private struct NeverExploring: RandomNumberGenerator {
    mutating func next() -> UInt64 { .max }
}
