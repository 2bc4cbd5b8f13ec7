import SwitchyardCore
import SwitchyardWire

extension JSONValue {
    /// A token count an upstream reported, bounded to 0...``TokenCount/maximum`` before any arithmetic: a buggy or
    /// hostile upstream's figure can never overflow a sum.
    var tokenCount: Int? { int.map(TokenCount.bounded) }
}
