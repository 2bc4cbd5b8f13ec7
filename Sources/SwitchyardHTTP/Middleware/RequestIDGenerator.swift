import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Synchronization
import SwitchyardCore
import SwitchyardGateway
import Tracing

/// Makes request ids that are unique across processes without a system call per request: a random prefix
/// chosen at start and a counter.
final class RequestIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        var generator = SystemRandomNumberGenerator()
        prefix = "req_" + String(generator.next() & 0xFFFF_FFFF_FFFF, radix: 16) + "_"
    }

    func next() -> String {
        prefix + String(counter.wrappingAdd(1, ordering: .relaxed).newValue, radix: 16)
    }

    /// The client's id when it is one we can echo safely: 1 to 128 visible ASCII characters.
    static func clientSupplied(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return nil
        }
        return value
    }
}
