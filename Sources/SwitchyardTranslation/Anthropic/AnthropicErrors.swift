import Foundation
import SwitchyardCore
import SwitchyardWire

/// The HTTP status of each Anthropic error type.
package enum AnthropicErrors {
    package static func status(forType type: String) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "permission_error": 403
        case "not_found_error": 404
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "overloaded_error": 529
        case "timeout_error": 504
        default: 500
        }
    }
}
