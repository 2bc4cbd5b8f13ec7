extension Int {
    /// `value` rounded towards zero and clamped to `Int`'s range (NaN is 0): a conversion that never traps, for
    /// figures computed from what clients, upstreams or the admin API send.
    @inlinable
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.2e18 {
            self = .max
        } else if value <= -9.2e18 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}

extension Int64 {
    /// `value` rounded towards zero and clamped to `Int64`'s range (NaN is 0).
    @inlinable
    public init(saturating value: Double) {
        self = Int64(Int(saturating: value))
    }
}
