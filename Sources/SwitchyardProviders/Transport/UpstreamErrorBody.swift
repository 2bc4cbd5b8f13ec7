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

/// Reads `Retry-After` (seconds or an HTTP date) and `retry-after-ms`.
enum RetryAfter {
    static func seconds(from headers: HTTPHeaders) -> Int? {
        if let milliseconds = headers.first(name: "retry-after-ms").flatMap(Double.init), milliseconds.isFinite, milliseconds >= 0 {
            return clamped(milliseconds / 1000)
        }
        guard let value = headers.first(name: "retry-after") else { return nil }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return clamped(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return clamped(max(0, date.timeIntervalSinceNow))
    }

    /// Whole seconds, at most a day: an upstream's header never overflows the gateway's arithmetic.
    private static func clamped(_ seconds: Double) -> Int { Int(min(seconds, 86_400).rounded(.up)) }
}
