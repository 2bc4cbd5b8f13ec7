import Crypto

/// Generates secrets.
public enum SecretGenerator {
    /// A new random key: `prefix` followed by 48 characters from a cryptographically secure source.
    public static func makeKey(prefix: String = "sk-sy-") -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var generator = SystemRandomNumberGenerator()
        var characters: [UInt8] = []
        characters.reserveCapacity(48)
        for _ in 0..<48 {
            characters.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))])
        }
        return prefix + String(decoding: characters, as: UTF8.self)
    }
}
