import Crypto

/// The SHA-256 digest of a secret (an API key). Secrets are kept and compared only as digests.
public struct SecretDigest: Sendable, Hashable {
    /// The 32 bytes, held inline: a digest is made for every request, and hashed to find its key.
    private let words: Words

    private struct Words: Hashable, Sendable {
        var first: UInt64
        var second: UInt64
        var third: UInt64
        var fourth: UInt64

        init(_ bytes: UnsafeRawBufferPointer) {
            first = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            second = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            third = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
            fourth = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        }
    }

    public init(of secret: some StringProtocol) {
        let digest = secret.utf8.withContiguousStorageIfAvailable { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        words = (digest ?? SHA256.hash(data: Array(secret.utf8))).withUnsafeBytes(Words.init)
    }

    /// Restores a digest from its hex form; nil if `hex` is not 64 hex digits.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        words = bytes.withUnsafeBytes(Words.init)
    }

    /// The digest's 32 bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: words) { Array($0) }
    }

    public var hex: String {
        let alphabet = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in bytes {
            output.append(alphabet[Int(byte >> 4)])
            output.append(alphabet[Int(byte & 0xF)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `candidate` is this digest, compared in constant time.
    public func matches(_ candidate: SecretDigest) -> Bool {
        let difference =
            (words.first ^ candidate.words.first) | (words.second ^ candidate.words.second) | (words.third ^ candidate.words.third)
            | (words.fourth ^ candidate.words.fourth)
        return difference == 0
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
