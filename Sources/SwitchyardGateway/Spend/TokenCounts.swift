import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardWire

/// Tokens an answer reports.
public struct TokenCounts: Sendable, Equatable {
    public var prompt = 0
    public var completion = 0
    public var cached = 0

    public var total: Int { prompt + completion }
}
