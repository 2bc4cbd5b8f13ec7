import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Synchronization
import SwitchyardCore
import SwitchyardGateway
import Tracing

/// Reads trace propagation headers (W3C `traceparent`, `tracestate`) from a client's request.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { fields[$0] }
    }
}
