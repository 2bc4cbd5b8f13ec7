import Foundation
import SwitchyardCore
import Testing

@Suite("UTC timestamps")
struct UTCTimestampTests {
    @Test("match Foundation's ISO 8601 text across leap days, century years and era boundaries")
    func matchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var samples: [TimeInterval] = [
            0, 59.999, 86_399.5, 86_400, 951_782_400, 951_868_799.25, 4_107_542_400, 4_107_628_800, 1_795_000_000.123,
            -1, -86_400.5, 253_402_300_799,
        ]
        // A day-by-day walk over 1999–2004 and a spread over four centuries.
        for day in 10_592..<12_784 { samples.append(Double(day) * 86_400 + 45_296.789) }
        for step in 0..<2000 { samples.append(Double(step) * 6_311_520.7) }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.string(date) == formatter.string(from: date), "at \(seconds)")
        }
    }
}
