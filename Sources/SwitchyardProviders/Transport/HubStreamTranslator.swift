import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// A stream translator from one upstream dialect to the hub, as the event source drives it.
protocol HubStreamTranslator: Sendable {
    /// The hub chunks for one upstream event's JSON.
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue]
    /// Whether this event is the upstream's explicit end of stream.
    func isEnd(_ payload: JSONValue) -> Bool
    /// Chunks owed after the last event (usage, for instance).
    mutating func finalChunks() -> [JSONValue]
    /// Whether a body that ends without the explicit end event was cut short.
    var requiresExplicitEnd: Bool { get }
}
