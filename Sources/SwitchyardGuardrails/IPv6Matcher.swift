/// Finds an IPv6 address: groups of 1 to 4 hex digits separated by colons, eight of them, or fewer with one `::`
/// standing for the rest, the last two possibly an IPv4 dotted quad (`::ffff:192.0.2.1`). A zone (`%eth0`) is left
/// out. Something with one colon, like the time `12:30`, is not an address.
enum IPv6Matcher {
    static func match(in text: ByteText, at start: Int) -> Int? {
        let colon = UInt8(ascii: ":")
        let first = text[start]
        let before = text[start - 1]
        guard ASCIIByte.isHexDigit(first) || (first == colon && text[start + 1] == colon),
            !ASCIIByte.isAlphanumeric(before), before != colon
        else { return nil }
        var position = start
        var groups = 0
        var compressed = false
        var end = start
        if first == colon {
            compressed = true
            position = start + 2
            end = position
        }
        while groups <= 8 {
            let groupEnd = text.runEnd(from: position, maxLength: 5, while: ASCIIByte.isHexDigit)
            let length = groupEnd - position
            if length == 0 { break }
            if text[groupEnd] == UInt8(ascii: ".") {
                // The IPv4 tail counts as two groups and ends the address.
                guard let quadEnd = IPv4Matcher.dottedQuadEnd(in: text, at: position) else { return nil }
                groups += 2
                end = quadEnd
                break
            }
            guard length <= 4 else { return nil }
            groups += 1
            end = groupEnd
            if text[groupEnd] == colon, text[groupEnd + 1] == colon {
                guard !compressed else { break }
                compressed = true
                position = groupEnd + 2
                end = position
            } else if text[groupEnd] == colon, ASCIIByte.isHexDigit(text[groupEnd + 1]) {
                position = groupEnd + 1
            } else {
                break
            }
        }
        guard groups >= 1, compressed ? groups <= 7 : groups == 8 else { return nil }
        // A short compressed form of small decimal numbers (`1::2`, `::2`) is more often a slice (`s[1::2]`) than an
        // address: one of fewer than three groups needs a group of 3 or more digits or a hex letter (`fe80::1`),
        // but for the loopback `::1`.
        if compressed, groups < 3, !(text.matches(Array("::1".utf8), at: start) && end == start + 3) {
            var run = 0
            var telling = false
            for position in start..<end {
                let byte = text[position]
                run = byte == colon ? 0 : run + 1
                if run >= 3 || (ASCIIByte.isHexDigit(byte) && !ASCIIByte.isDigit(byte)) { telling = true }
            }
            if !telling { return nil }
        }
        let after = text[end]
        guard !ASCIIByte.isAlphanumeric(after), after != colon,
            !(after == UInt8(ascii: ".") && ASCIIByte.isDigit(text[end + 1]))
        else { return nil }
        return end
    }
}
