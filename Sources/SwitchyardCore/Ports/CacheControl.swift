import Foundation

/// What a request's `Cache-Control` header asks of the response cache.
public struct CacheControl: Sendable, Equatable {
    /// Read the cache (`no-cache` and `no-store` turn it off).
    public var reads: Bool
    /// Store the answer (`no-store` turns it off).
    public var writes: Bool
    /// Serve only entries younger than this (`max-age=N`).
    public var maxAge: Duration?

    public init(reads: Bool = true, writes: Bool = true, maxAge: Duration? = nil) {
        self.reads = reads
        self.writes = writes
        self.maxAge = maxAge
    }

    /// Reads and writes, at any age.
    public static let `default` = CacheControl()

    /// The directives of a `Cache-Control` header; unknown directives are ignored, as HTTP asks.
    public init(header: String?) {
        self.init()
        guard let header else { return }
        for directive in header.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            switch parts.first {
            case "no-cache": reads = false
            case "no-store":
                reads = false
                writes = false
            case "max-age":
                if parts.count == 2, let seconds = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))), seconds >= 0 {
                    maxAge = .seconds(min(seconds, 1_000_000_000))
                }
            default: continue
            }
        }
    }
}
