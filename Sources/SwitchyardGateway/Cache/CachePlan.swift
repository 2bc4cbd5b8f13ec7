import SwitchyardCore

/// How the cache takes part in one request: where its answer is kept, for how long, and what the request's
/// `Cache-Control` allows.
struct CachePlan: Sendable {
    let key: CacheKey
    let model: String
    let settings: CacheSettings
    let control: CacheControl

    /// What the request reports when it is not answered from the cache.
    var missResult: CacheResult { control.reads || control.writes ? .miss : .bypass }
}
