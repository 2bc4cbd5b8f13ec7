#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `2026-11-22T10:15:30.123Z` (ISO 8601, UTC, milliseconds), formatted without Foundation's date formatters,
/// which cost microseconds per call: log lines and stored rows carry one each.
public enum UTCTimestamp {
    /// Appends the current time.
    public static func append(to text: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        append(seconds: Int(now.tv_sec), milliseconds: Int(now.tv_nsec) / 1_000_000, to: &text)
    }

    /// `date` as text.
    public static func string(_ date: Date) -> String {
        let since1970 = date.timeIntervalSince1970
        var seconds = since1970.rounded(.down)
        var milliseconds = Int(((since1970 - seconds) * 1000).rounded(.down))
        if milliseconds >= 1000 {
            seconds += 1
            milliseconds -= 1000
        }
        var text: [UInt8] = []
        text.reserveCapacity(24)
        append(seconds: Int(seconds), milliseconds: milliseconds, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func append(seconds: Int, milliseconds: Int, to text: inout [UInt8]) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var value = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                value %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        text.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        text.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        text.append(UInt8(ascii: "Z"))
    }
}
