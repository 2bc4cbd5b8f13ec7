import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

extension BedrockToOpenAI: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] { chunks(payload) }
    func isEnd(_ payload: JSONValue) -> Bool { payload["metadata"] != nil }
    mutating func finalChunks() -> [JSONValue] { [] }
    var requiresExplicitEnd: Bool { false }
}
