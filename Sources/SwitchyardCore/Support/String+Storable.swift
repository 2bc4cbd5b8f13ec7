extension StringProtocol {
    /// Whether the text can be stored or looked up as it is: no NUL character, which PostgreSQL's text refuses. An
    /// id or name holding one names nothing.
    public var isStorableName: Bool { !utf8.contains(0) }
}
