import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

extension OllamaToOpenAI: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] { try chunks(payload) }
    func isEnd(_ payload: JSONValue) -> Bool { payload["done"]?.bool == true }
    mutating func finalChunks() -> [JSONValue] { [] }
    var requiresExplicitEnd: Bool { true }
}
