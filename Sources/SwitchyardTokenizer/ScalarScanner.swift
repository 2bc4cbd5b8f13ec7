/// Reads a text's UTF-8 scalar by scalar for the splitters, and scans the runs that both split patterns share.
///
/// Positions are byte offsets into the UTF-8. The bytes come from a Swift `String`, so they are valid UTF-8; a
/// malformed sequence would still not trap: its first byte is read as a one-byte `other` scalar.
struct ScalarScanner {
    let base: UnsafePointer<UInt8>
    let count: Int

    /// The class and the UTF-8 length of the scalar starting at `index` (which must be below `count`).
    @inline(__always)
    func scalar(at index: Int) -> (ScalarClass, Int) {
        let lead = base[index]
        if lead < 0x80 { return (ScalarClass.ascii(lead), 1) }
        return multiByteScalar(at: index, lead: lead)
    }

    private func multiByteScalar(at index: Int, lead: UInt8) -> (ScalarClass, Int) {
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC0..<0xE0:
            length = 2
            value = UInt32(lead & 0x1F)
        case 0xE0..<0xF0:
            length = 3
            value = UInt32(lead & 0x0F)
        case 0xF0..<0xF8:
            length = 4
            value = UInt32(lead & 0x07)
        default:
            return (.other, 1)
        }
        guard count &- index >= length else { return (.other, 1) }
        for offset in 1..<length {
            let byte = base[index &+ offset]
            guard byte & 0xC0 == 0x80 else { return (.other, 1) }
            value = value &<< 6 | UInt32(byte & 0x3F)
        }
        return (ScalarClass.of(value), length)
    }

    /// Whether the byte at `index` is `byte` (false past the end).
    @inline(__always)
    func byte(at index: Int, is byte: UInt8) -> Bool {
        index < count && base[index] == byte
    }

    /// The end of the run of scalars of the classes in `set` starting at `index`.
    @inline(__always)
    func run(of set: ScalarClass, from index: Int) -> Int {
        var end = index
        while end < count {
            let (kind, length) = scalar(at: end)
            guard kind.isIn(set) else { break }
            end &+= length
        }
        return end
    }

    /// `\p{N}{1,3}` after the first number at `index - firstLength`: the end of at most two more numbers from `index`.
    @inline(__always)
    func numberEnd(from index: Int) -> Int {
        var end = index
        var numbers = 1
        while numbers < 3 && end < count {
            let (kind, length) = scalar(at: end)
            guard kind == .number else { break }
            end &+= length
            numbers &+= 1
        }
        return end
    }

    /// `[^\s\p{L}\p{N}]+` continued from `index`, then `[\r\n]*` (with `slash`, `[\r\n/]*`).
    @inline(__always)
    func punctuationEnd(from index: Int, slash: Bool) -> Int {
        var end = run(of: .punctuation, from: index)
        while end < count {
            let byte = base[end]
            guard byte == 0x0A || byte == 0x0D || (slash && byte == 0x2F) else { break }
            end &+= 1
        }
        return end
    }

    /// The apostrophe contraction at `index`, case-insensitively `'s`, `'t`, `'m`, `'d`, `'ll`, `'ve` or `'re` (the
    /// same set in both patterns): its end, or nil. Like the regex crate's case folding, `ſ` (U+017F) matches `s`.
    @inline(__always)
    func contractionEnd(at index: Int) -> Int? {
        guard byte(at: index, is: 0x27) else { return nil }
        let first = index &+ 1
        guard first < count else { return nil }
        let folded = base[first] | 0x20
        switch folded {
        case 0x73, 0x74, 0x6D, 0x64: return first &+ 1  // s t m d
        default: break
        }
        let second = first &+ 1
        guard second < count else { return nil }
        if base[first] == 0xC5 && base[second] == 0xBF { return second &+ 1 }  // ſ
        let next = base[second] | 0x20
        switch (folded, next) {
        case (0x6C, 0x6C), (0x76, 0x65), (0x72, 0x65): return second &+ 1  // ll ve re
        default: return nil
        }
    }

    /// The whitespace run starting at `index`: its end, the end of its last `\r` or `\n` (nil if it has none), and the
    /// start of its last scalar.
    @inline(__always)
    func whitespaceRun(from index: Int) -> (end: Int, lastNewlineEnd: Int?, lastScalarStart: Int) {
        var end = index
        var lastNewlineEnd: Int?
        var lastScalarStart = index
        while end < count {
            let (kind, length) = scalar(at: end)
            guard kind.isIn(.whitespace) else { break }
            if kind == .newline { lastNewlineEnd = end &+ length }
            lastScalarStart = end
            end &+= length
        }
        return (end, lastNewlineEnd, lastScalarStart)
    }
}
