#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

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
        // To the nearest millisecond, as Foundation's formatter rounds: 59.999 is stored in binary just below it.
        let totalMilliseconds = Int((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = totalMilliseconds.floorDivided(by: 1000)
        let milliseconds = totalMilliseconds - seconds * 1000
        var text: [UInt8] = []
        text.reserveCapacity(24)
        append(seconds: seconds, milliseconds: milliseconds, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func append(seconds: Int, milliseconds: Int, to text: inout [UInt8]) {
        let days = seconds.floorDivided(by: 86_400)
        let date = CivilDate(daysSince1970: days)
        let secondOfDay = seconds - days * 86_400
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
        digits(date.year, 4)
        text.append(UInt8(ascii: "-"))
        digits(date.month, 2)
        text.append(UInt8(ascii: "-"))
        digits(date.day, 2)
        text.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        text.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        text.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        text.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        text.append(UInt8(ascii: "Z"))
    }
}

/// A day of the proleptic Gregorian calendar, from days since 1970-01-01, by integer arithmetic alone (no call
/// into the C library, whose `gmtime_r` takes a process-wide lock).
struct CivilDate {
    var year: Int
    var month: Int
    var day: Int

    /// Howard Hinnant's `civil_from_days`: eras of 400 years, each 146,097 days, starting on 1 March.
    init(daysSince1970 days: Int) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}

private extension Int {
    /// Division rounding towards negative infinity.
    func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
