import Crypto

/// The hex SHA-256 of some bytes: a key that is the same on every replica for the same content.
public enum ContentDigest {
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digest = SHA256.hash(data: Array(bytes))
        let alphabet = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in digest {
            output.append(alphabet[Int(byte >> 4)])
            output.append(alphabet[Int(byte & 0xF)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
