import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardWire

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
