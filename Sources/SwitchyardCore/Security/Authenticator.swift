/// Who is calling. Virtual keys arrive with a later version; today every authenticated caller holds the master key.
public enum Caller: Sendable, Equatable {
    case master
}

/// Decides whether a presented key is accepted.
public struct Authenticator: Sendable {
    private let masterKey: SecretDigest

    public init(masterKey: SecretDigest) {
        self.masterKey = masterKey
    }

    /// The caller behind `key`.
    /// - Throws: 401 ``GatewayError`` when no key was sent or the key is unknown.
    public func authenticate(_ key: String?) throws(GatewayError) -> Caller {
        guard let key, !key.isEmpty else { throw .missingKey() }
        guard masterKey.matches(key) else { throw .invalidKey() }
        return .master
    }
}
