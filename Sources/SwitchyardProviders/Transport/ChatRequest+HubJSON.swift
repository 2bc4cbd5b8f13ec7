import NIOCore
import SwitchyardCore
import SwitchyardWire

extension ChatRequest {
    /// The hub body as a JSON value, for adapters that translate it.
    func hubJSON() throws -> JSONValue { try decodeRequestBody(try hubBody()) }
}

/// Decodes a client's JSON body; the gateway validated its syntax already, so a failure here is still the client's.
func decodeRequestBody(_ body: ByteBuffer) throws -> JSONValue {
    do {
        return try JSONValue(decoding: body)
    } catch {
        throw GatewayError.badRequest("The request body is not valid JSON.", code: "invalid_json")
    }
}
