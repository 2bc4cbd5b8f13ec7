import NIOCore
import SwitchyardCore
import SwitchyardWire

extension EmbeddingRequest {
    /// The body as a JSON value, for adapters that translate it.
    func json() throws -> JSONValue { try decodeRequestBody(body) }
}
