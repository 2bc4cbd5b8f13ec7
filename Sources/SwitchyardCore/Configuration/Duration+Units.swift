extension Duration {
    /// The duration in whole nanoseconds, for APIs that count in them (NIO's `TimeAmount`, atomics); clamped to
    /// `Int64`'s range (about 292 years either way) rather than trapping.
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if sumOverflow { return seconds < 0 ? .min : .max }
        return sum
    }
}

extension Duration {
    /// The duration in seconds, as `Date` arithmetic counts them.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// Whole or fractional seconds, for messages: `60`, `0.5`.
    public var secondsText: String {
        let (whole, attoseconds) = components
        if attoseconds == 0 { return String(whole) }
        return String(Double(whole) + Double(attoseconds) / 1e18)
    }
}
