public import Foundation

/// Reads the date forms the admin API accepts: an ISO-8601 date-time (with or without fractional seconds) or a
/// plain date, both UTC unless they say otherwise.
public enum ISO8601Input {
    public static func date(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day())
    }
}
