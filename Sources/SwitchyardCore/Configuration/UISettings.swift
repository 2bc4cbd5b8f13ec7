/// The admin web UI (`ui:`).
public struct UISettings: Sendable, Equatable {
    /// Whether `/ui` is served.
    public var enabled: Bool
    /// How long a session lasts from sign-in.
    public var sessionLifetime: Duration
    /// How long the per-minute request statistics behind the analytics are kept.
    public var analyticsRetention: Duration

    public init(enabled: Bool = true, sessionLifetime: Duration = .seconds(12 * 3600), analyticsRetention: Duration = .seconds(90 * 86_400)) {
        self.enabled = enabled
        self.sessionLifetime = sessionLifetime
        self.analyticsRetention = analyticsRetention
    }
}
