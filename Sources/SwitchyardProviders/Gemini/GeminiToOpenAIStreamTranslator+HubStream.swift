import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

extension GeminiToOpenAIStreamTranslator: HubStreamTranslator {
    mutating func chunks(for payload: JSONValue) throws(GatewayError) -> [JSONValue] {
        if let error = payload["error"] { throw GeminiErrors.gatewayError(error) }
        return consume(payload)
    }
    func isEnd(_ payload: JSONValue) -> Bool { false }
    mutating func finalChunks() -> [JSONValue] { finish() }
    var requiresExplicitEnd: Bool { false }
}
