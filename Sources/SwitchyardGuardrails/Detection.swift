/// Something a detector found: what kind of thing it is and where it is in the text.
public struct Detection: Hashable, Sendable {
    /// The entity's raw value (`email`), or the configured name of a pattern or word-list detector.
    public var kind: String
    /// Where the match is, in UTF-8 byte offsets of the text.
    public var range: Range<Int>

    /// A detection of `kind` at `range` (UTF-8 byte offsets).
    public init(kind: String, range: Range<Int>) {
        self.kind = kind
        self.range = range
    }
}
