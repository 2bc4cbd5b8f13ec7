import Foundation
public import NIOCore

extension JSONValue {
    /// Decodes a JSON document.
    /// - Throws: `JSONSyntaxError` for anything that is not one JSON value.
    public init(decoding buffer: ByteBuffer) throws {
        var parser = JSONValueParser(Array(buffer.readableBytesView))
        self = try parser.parseDocument()
    }

    /// Decodes a JSON document held in a string.
    public init(decoding text: String) throws {
        var parser = JSONValueParser(Array(text.utf8))
        self = try parser.parseDocument()
    }

    /// The value as compact JSON with keys sorted, so the same value always gives the same bytes.
    public var encoded: ByteBuffer {
        ByteBuffer(bytes: (try? Self.encoder.encode(self)) ?? Data("null".utf8))
    }

    /// The value as compact JSON text.
    public var jsonText: String { String(buffer: encoded) }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
