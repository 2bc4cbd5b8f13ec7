/// The placeholders of one request: `[EMAIL_1]`, `[EMAIL_2]`, `[CREDIT_CARD_1]` …, numbered per kind in the order
/// handed out, the same text of the same kind always getting the same one. Keeps what each placeholder stands for,
/// so that an answer can have the originals put back (`PlaceholderRestorer`).
public struct PlaceholderNumbering: Sendable, Equatable {
    private struct Key: Hashable, Sendable {
        let label: String
        let original: String
    }

    private var lastNumber: [String: Int] = [:]
    private var assigned: [Key: String] = [:]
    /// What each placeholder handed out stands for.
    public private(set) var originals: [String: String] = [:]

    /// A numbering with no placeholders handed out yet, for a new request.
    public init() {}

    /// The placeholder for `original`, found as `kind`: the one it already has, or the next number of that kind.
    public mutating func placeholder(for kind: String, original: String) -> String {
        let label = Self.label(for: kind)
        let key = Key(label: label, original: original)
        if let placeholder = assigned[key] { return placeholder }
        let number = lastNumber[label, default: 0] + 1
        lastNumber[label] = number
        let placeholder = "[\(label)_\(number)]"
        assigned[key] = placeholder
        originals[placeholder] = original
        return placeholder
    }

    /// Numbers placeholders past those already written out in `bytes` (a client's own `[EMAIL_1]`), so that a
    /// placeholder handed out never means two things in one request.
    public mutating func reserveLiterals(in bytes: some Collection<UInt8>) {
        for literal in PlaceholderLiteral.all(in: bytes) {
            lastNumber[literal.label] = max(lastNumber[literal.label, default: 0], literal.number)
        }
    }

    /// A numbering that goes on from this one's numbers without its placeholders: what it hands out never repeats
    /// one of these (an answer's redactions are never taken for a request's masked texts).
    public var continued: PlaceholderNumbering {
        var next = PlaceholderNumbering()
        next.lastNumber = lastNumber
        return next
    }

    /// How many placeholders of `kind` have been handed out.
    public func count(of kind: String) -> Int {
        lastNumber[Self.label(for: kind), default: 0]
    }

    /// The name placeholders of `kind` carry: uppercased, each character other than an ASCII letter or digit as `_`
    /// (`credit_card` → `CREDIT_CARD`, `my words` → `MY_WORDS`); `REDACTED` for an empty kind.
    public static func label(for kind: String) -> String {
        var label: [UInt8] = []
        for byte in kind.utf8 {
            if ASCIIByte.isAlphanumeric(byte) {
                label.append(ASCIIByte.uppercased(byte))
            } else if byte < 0x80 || byte >= 0xC0 {
                // An ASCII symbol, or the first byte of a multi-byte character (its continuation bytes add nothing).
                label.append(UInt8(ascii: "_"))
            }
        }
        return label.isEmpty ? "REDACTED" : String(decoding: label, as: UTF8.self)
    }
}
