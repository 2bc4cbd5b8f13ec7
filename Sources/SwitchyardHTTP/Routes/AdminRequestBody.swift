import Hummingbird
import SwitchyardCore
import SwitchyardWire

/// The body of an admin API request: JSON, at most 1 MB.
enum AdminRequestBody {
    /// The largest body the admin API reads.
    static let limit = 1 << 20

    /// The body as JSON; an empty body is `{}` when `emptyIsObject`.
    /// - Throws: 413 over the limit, 400 `invalid_json` for a body that is not JSON.
    static func json(_ request: Request, emptyIsObject: Bool = false) async throws -> JSONValue {
        let body = try await RequestBodyReader.read(request, limit: limit)
        if emptyIsObject, body.readableBytes == 0 { return [:] }
        guard let value = try? JSONValue(decoding: body) else {
            throw GatewayError.badRequest("The request body is not valid JSON.", code: "invalid_json")
        }
        return value
    }
}
