public import NIOCore

/// A cheap guess at the tokens a request body holds, where no tokenizer is at hand: about four bytes a token.
public enum TokenEstimate {
    public static func tokens(in body: ByteBuffer) -> Int { (body.readableBytes + 3) / 4 }
}

/// Bounds for token counts read from upstreams.
public enum TokenCount {
    /// A billion tokens a field: beyond any model, far from where sums of a few fields could overflow.
    public static let maximum = 1_000_000_000

    /// `value` clamped to 0...``maximum``.
    public static func bounded(_ value: Int) -> Int { min(max(value, 0), maximum) }
}
