extension Duration {
    /// The duration in whole nanoseconds, for APIs that count in them (NIO's `TimeAmount`, atomics).
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension Duration {
    /// Whole or fractional seconds, for messages: `60`, `0.5`.
    public var secondsText: String {
        let (whole, attoseconds) = components
        if attoseconds == 0 { return String(whole) }
        return String(Double(whole) + Double(attoseconds) / 1e18)
    }
}
