import SwitchyardCore
import SwitchyardTranslation
import SwitchyardWire

/// Gemini's error objects.
enum GeminiErrors {
    static func gatewayError(_ error: JSONValue) -> GatewayError {
        let status = error["code"]?.int ?? 500
        var gatewayError = GatewayError(
            status: status, kind: GatewayError.kind(forStatus: status), code: error["status"]?.string,
            message: error["message"]?.string ?? "The upstream stream failed.")
        gatewayError.upstreamType = error["status"]?.string
        return gatewayError
    }
}
