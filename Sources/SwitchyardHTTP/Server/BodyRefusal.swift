import SwitchyardCore

/// Why the server handed a request on without reading its body; carried to the route in an internal header,
/// ``HTTPField/Name/bodyRefused``, and answered there in the client's dialect. (A client that sends the header
/// itself only refuses its own body.)
enum BodyRefusal: String, Sendable {
    /// The server holds as many bodies as `server.max_buffered_body_bytes` allows.
    case busy
    /// The key on the head was not accepted when the body would have been read.
    case unauthenticated

    var error: GatewayError {
        switch self {
        case .busy:
            var error = GatewayError(
                status: 503, kind: .api, code: "server_busy", message: "The gateway is holding as many request bodies as it may; retry shortly.")
            error.retryAfterSeconds = 1
            return error
        case .unauthenticated:
            return .invalidKey()
        }
    }
}
