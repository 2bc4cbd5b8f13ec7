/// USD per one million tokens.
public struct Price: Sendable, Equatable {
    public var input: Double
    public var output: Double

    public init(input: Double, output: Double) {
        self.input = input
        self.output = output
    }
}

/// One place a public model can be served: a provider and the model name sent to it.
public struct Target: Sendable, Equatable {
    /// The name of a configured provider.
    public var provider: String
    /// The model name sent upstream.
    public var model: String
    public var weight: Double
    public var price: Price?

    public init(provider: String, model: String, weight: Double = 1, price: Price? = nil) {
        self.provider = provider
        self.model = model
        self.weight = weight
        self.price = price
    }
}

/// How a model spreads requests over its targets.
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Each request starts at the next target in turn; the others follow in order on failure.
    case roundRobin = "round-robin"
}

/// A public model name and the targets behind it.
public struct ModelRoute: Sendable, Equatable {
    /// The `model` that clients send.
    public var name: String
    public var strategy: RoutingStrategy
    public var targets: [Target]
    /// Other models tried, in order, when every target of this one fails.
    public var fallbacks: [String]

    public init(name: String, strategy: RoutingStrategy = .roundRobin, targets: [Target], fallbacks: [String] = []) {
        self.name = name
        self.strategy = strategy
        self.targets = targets
        self.fallbacks = fallbacks
    }
}
