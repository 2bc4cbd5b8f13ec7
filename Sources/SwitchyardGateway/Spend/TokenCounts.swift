import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Tokens an answer reports.
package struct TokenCounts: Sendable, Equatable {
    package var prompt = 0
    package var completion = 0
    package var cached = 0

    package var total: Int { prompt + completion }
}
