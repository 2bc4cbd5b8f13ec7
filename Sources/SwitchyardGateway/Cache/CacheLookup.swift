import SwitchyardCore

/// What looking a request up in the cache found: the entry that answers it (and how it was found), and the
/// request's semantic fingerprint, kept with its answer when it is stored.
struct CacheLookup: Sendable {
    var entry: CacheEntry?
    var result: CacheResult?
    var fingerprint: SemanticFingerprint?
}

/// A request's place in semantic lookup: its context key and the embedding of its last user message.
struct SemanticFingerprint: Sendable {
    let context: String
    let vector: [Float]
}
