/// What the response cache did for a request, as `x-switchyard-cache` reports it.
package enum CacheResult: String, Sendable {
    /// Answered from an entry for the same request.
    case hit
    /// Answered from an entry for a request close enough by embedding.
    case semanticHit = "semantic-hit"
    /// Not answered from the cache (the answer is stored unless the request said `no-store`).
    case miss
    /// Neither read nor written (`Cache-Control: no-store`).
    case bypass
}
