import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Yields the payload of each event of an upstream stream, whatever its framing.
protocol UpstreamEventReader {
    /// The next event's payload; nil when the body ended cleanly between events.
    mutating func nextPayload() async throws -> ByteBuffer?
    mutating func drain() async throws
}
