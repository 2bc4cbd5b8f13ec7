import NIOCore
import SwitchyardWire

/// JSON written one way only, straight from a document's bytes: object members sorted by their key, no
/// whitespace, strings and numbers as they were written. Two requests that differ only in member order or spacing
/// give the same bytes, on every replica, without decoding the document into values.
///
/// Equivalent documents written differently (`1.0` and `1`, `"\u00e9"` and `"é"`) give different bytes: a cache
/// keyed on them misses, it never mixes two requests up.
enum CanonicalJSON {
    /// The deepest nesting followed; a deeper document has no canonical form here (and is not cached).
    static let maximumDepth = 128

    /// The canonical bytes of the object `document`, without its top-level members named in `dropping` and with
    /// `replacing` members set to the given raw JSON values; nil when it is not a JSON object or too deep.
    static func bytes(of document: ByteBuffer, dropping: Set<String> = [], replacing: [String: [UInt8]] = [:]) -> [UInt8]? {
        var reader = Reader(bytes: Array(document.readableBytesView))
        var output: [UInt8] = []
        output.reserveCapacity(document.readableBytes)
        guard reader.skipWhitespace(), reader.peek == UInt8(ascii: "{"),
            reader.writeObject(into: &output, depth: 0, dropping: dropping, replacing: replacing)
        else { return nil }
        reader.skipWhitespaceAtEnd()
        return reader.atEnd ? output : nil
    }

    /// The canonical bytes of a value.
    static func bytes(of value: JSONValue) -> [UInt8]? {
        bytes(of: value.encoded)
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }
        var atEnd: Bool { position == bytes.count }

        /// Skips whitespace; false at the end of the document.
        mutating func skipWhitespace() -> Bool {
            while position < bytes.count, Self.isWhitespace(bytes[position]) { position += 1 }
            return position < bytes.count
        }

        mutating func skipWhitespaceAtEnd() { _ = skipWhitespace() }

        static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
        }

        mutating func writeValue(into output: inout [UInt8], depth: Int) -> Bool {
            guard depth < CanonicalJSON.maximumDepth, skipWhitespace(), let byte = peek else { return false }
            switch byte {
            case UInt8(ascii: "{"): return writeObject(into: &output, depth: depth, dropping: [], replacing: [:])
            case UInt8(ascii: "["): return writeArray(into: &output, depth: depth)
            case UInt8(ascii: "\""):
                guard let string = readString() else { return false }
                output.append(contentsOf: string)
                return true
            default:
                // A number or a literal: its bytes up to the next delimiter.
                let start = position
                while position < bytes.count {
                    let next = bytes[position]
                    if next == UInt8(ascii: ",") || next == UInt8(ascii: "}") || next == UInt8(ascii: "]") || Self.isWhitespace(next) { break }
                    position += 1
                }
                guard position > start else { return false }
                output.append(contentsOf: bytes[start..<position])
                return true
            }
        }

        /// A string's bytes with its quotes, as written.
        mutating func readString() -> ArraySlice<UInt8>? {
            let start = position
            position += 1
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"): position += 2
                case UInt8(ascii: "\""):
                    position += 1
                    return bytes[start..<position]
                default: position += 1
                }
            }
            return nil
        }

        mutating func writeObject(into output: inout [UInt8], depth: Int, dropping: Set<String>, replacing: [String: [UInt8]]) -> Bool {
            position += 1  // {
            var members: [(key: [UInt8], value: [UInt8])] = []
            guard skipWhitespace() else { return false }
            if peek == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    guard skipWhitespace(), peek == UInt8(ascii: "\""), let key = readString(), skipWhitespace(), peek == UInt8(ascii: ":") else {
                        return false
                    }
                    position += 1
                    var value: [UInt8] = []
                    guard writeValue(into: &value, depth: depth + 1) else { return false }
                    if dropping.isEmpty && replacing.isEmpty {
                        members.append((Array(key), value))
                    } else {
                        let name = String(decoding: key.dropFirst().dropLast(), as: UTF8.self)
                        if !dropping.contains(name), replacing[name] == nil { members.append((Array(key), value)) }
                    }
                    guard skipWhitespace() else { return false }
                    if peek == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    guard peek == UInt8(ascii: "}") else { return false }
                    position += 1
                    break
                }
            }
            for (name, value) in replacing { members.append((JSONString.quoted(name), value)) }
            // By key, then (for a key written twice) by value, so the order never depends on the sort.
            members.sort { $0.key == $1.key ? $0.value.lexicographicallyPrecedes($1.value) : $0.key.lexicographicallyPrecedes($1.key) }
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: member.key)
                output.append(UInt8(ascii: ":"))
                output.append(contentsOf: member.value)
            }
            output.append(UInt8(ascii: "}"))
            return true
        }

        mutating func writeArray(into output: inout [UInt8], depth: Int) -> Bool {
            position += 1  // [
            output.append(UInt8(ascii: "["))
            guard skipWhitespace() else { return false }
            if peek == UInt8(ascii: "]") {
                position += 1
                output.append(UInt8(ascii: "]"))
                return true
            }
            var first = true
            while true {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                guard writeValue(into: &output, depth: depth + 1), skipWhitespace() else { return false }
                if peek == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard peek == UInt8(ascii: "]") else { return false }
                position += 1
                output.append(UInt8(ascii: "]"))
                return true
            }
        }
    }
}
