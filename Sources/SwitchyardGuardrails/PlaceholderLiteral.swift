/// A placeholder written out in a text (`[EMAIL_1]`, `[CREDIT_CARD_12]`): its place, its label and its number.
public struct PlaceholderLiteral: Sendable, Equatable {
    /// Where it is, in UTF-8 bytes.
    public var range: Range<Int>
    public var label: String
    public var number: Int

    /// The placeholders written out in `bytes`, in order: `[`, a label of ASCII capitals, digits and `_` starting
    /// with a capital, `_`, a number of at most nine digits, `]`.
    public static func all(in bytes: some Collection<UInt8>) -> [PlaceholderLiteral] {
        let bytes = Array(bytes)
        var found: [PlaceholderLiteral] = []
        var index = 0
        while let open = bytes[index...].firstIndex(of: UInt8(ascii: "[")) {
            index = open + 1
            var end = index
            while end < bytes.count, end - index <= 64, Self.isLabelByte(bytes[end]) { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: "]"), end > index,
                let underscore = bytes[index..<end].lastIndex(of: UInt8(ascii: "_")), underscore > index,
                ASCIIByte.isUppercase(bytes[index]), (1...9).contains(end - underscore - 1),
                let number = Int(String(decoding: bytes[(underscore + 1)..<end], as: UTF8.self))
            else { continue }
            found.append(
                PlaceholderLiteral(range: open..<(end + 1), label: String(decoding: bytes[index..<underscore], as: UTF8.self), number: number))
            index = end + 1
        }
        return found
    }

    /// `text` with the number taken off every placeholder written in it (`[EMAIL_1]` → `[EMAIL]`): for text kept
    /// beyond its request (a memory), where the numbers no longer stand for anything.
    public static func unnumbered(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let literals = all(in: bytes)
        guard !literals.isEmpty else { return text }
        var output: [UInt8] = []
        var cursor = 0
        for literal in literals {
            output.append(contentsOf: bytes[cursor..<literal.range.lowerBound])
            output.append(contentsOf: "[\(literal.label)]".utf8)
            cursor = literal.range.upperBound
        }
        output.append(contentsOf: bytes[cursor...])
        return String(decoding: output, as: UTF8.self)
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        ASCIIByte.isUppercase(byte) || ASCIIByte.isDigit(byte) || byte == UInt8(ascii: "_")
    }
}
