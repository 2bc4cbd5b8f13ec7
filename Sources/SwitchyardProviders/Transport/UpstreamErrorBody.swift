import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardWire

/// Reads the error an upstream sent with a non-2xx status.
enum UpstreamErrorBody {
    /// The gateway error for `status` with the upstream's message, type, code and param when its body has the
    /// OpenAI error shape, or its text otherwise.
    static func parse(_ body: ByteBuffer?, status: Int, provider: String) -> GatewayError {
        let kind = GatewayError.kind(forStatus: status)
        if let body, let decoded = try? JSONDecoder().decode(OpenAIErrorBody.self, from: Data(body.readableBytesView)),
            !decoded.error.message.isEmpty
        {
            var error = GatewayError(
                status: status, kind: kind, code: decoded.error.code, message: decoded.error.message, param: decoded.error.param)
            error.upstreamType = decoded.error.type
            return error
        }
        // Ollama and some other servers answer {"error": "text"}; AWS answers {"message": "text"}.
        if let body, let value = try? JSONValue(decoding: body), let message = value["error"]?.string ?? value["message"]?.string ?? value["Message"]?.string {
            return GatewayError(status: status, kind: kind, code: "upstream_\(status)", message: message)
        }
        let text = body.map { String(buffer: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let message =
            text.isEmpty
            ? "Provider '\(provider)' answered \(status) with no message."
            : "Provider '\(provider)' answered \(status): \(text.prefix(500))"
        return GatewayError(status: status, kind: kind, code: "upstream_\(status)", message: message)
    }
}
