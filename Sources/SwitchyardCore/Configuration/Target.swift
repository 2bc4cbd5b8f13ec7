

/// One place a public model can be served: a provider and the model name sent to it.
public struct Target: Sendable, Equatable, Hashable {
    /// The name of a configured provider.
    public var provider: String { didSet { label = "\(provider)/\(model)" } }
    /// The model name sent upstream.
    public var model: String { didSet { label = "\(provider)/\(model)" } }
    /// `provider/model`, as shown in headers, logs and the admin API; kept, since each request shows it.
    public private(set) var label: String
    public var weight: Double
    public var price: Price?
    /// Requests per minute the provider allows for this target; the router skips it when that is used up.
    public var rpm: Int?
    /// Tokens per minute the provider allows for this target.
    public var tpm: Int?

    public init(provider: String, model: String, weight: Double = 1, price: Price? = nil, rpm: Int? = nil, tpm: Int? = nil) {
        self.provider = provider
        self.model = model
        self.label = "\(provider)/\(model)"
        self.weight = weight
        self.price = price
        self.rpm = rpm
        self.tpm = tpm
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(provider)
        hasher.combine(model)
    }

    public static func == (lhs: Target, rhs: Target) -> Bool {
        lhs.provider == rhs.provider && lhs.model == rhs.model && lhs.weight == rhs.weight && lhs.price == rhs.price
            && lhs.rpm == rhs.rpm && lhs.tpm == rhs.tpm
    }
}
