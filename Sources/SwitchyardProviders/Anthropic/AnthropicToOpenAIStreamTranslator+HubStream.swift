import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

extension AnthropicToOpenAIStreamTranslator: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] { try consume(payload) }
    func isEnd(_ payload: JSONValue) -> Bool { payload["type"]?.string == "message_stop" }
    mutating func finalChunks() -> [JSONValue] { [] }
    var requiresExplicitEnd: Bool { true }
}
