/// How the gateway's own HTTP server behaves.
public struct ServerSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The master key, when set in the configuration or the environment; otherwise one is generated and stored.
    public var masterKey: String?
    /// Larger request bodies get 413.
    public var maxBodyBytes: Int
    /// Time a connection may take to deliver a request's head (also how long an idle keep-alive connection stays open).
    public var requestHeadTimeout: Duration
    /// Time a client may take to deliver a request's body once its head arrived.
    public var requestBodyTimeout: Duration
    /// On SIGTERM/SIGINT, how long in-flight requests and streams may take to finish.
    public var shutdownGracePeriod: Duration
    /// Connections open at once; further ones are closed as soon as they are accepted.
    public var maxConnections = 10_000
    /// Request-body bytes held at once across every connection (bodies being read and bodies being served);
    /// a request that would go past it is answered 503.
    public var maxBufferedBodyBytes = 512 << 20
    /// How long a client may stop reading a response before its connection is closed, releasing the upstream
    /// call, its concurrency slot and its target.
    public var writeTimeout: Duration = .seconds(60)
    /// After the server has stopped, how long writing the last queued usage and log rows may take.
    public var finalFlushBudget: Duration = .seconds(5)
    /// How long the keys loaded from storage are trusted when storage cannot be reached; past it, virtual keys
    /// are refused (fail closed) until storage answers again. The master key keeps working.
    public var keysMaxStaleness: Duration = .seconds(300)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, masterKey: String? = nil, maxBodyBytes: Int = 32 << 20,
        requestHeadTimeout: Duration = .seconds(30), requestBodyTimeout: Duration = .seconds(60),
        shutdownGracePeriod: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.masterKey = masterKey
        self.maxBodyBytes = maxBodyBytes
        self.requestHeadTimeout = requestHeadTimeout
        self.requestBodyTimeout = requestBodyTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}

/// Where the gateway keeps its state.
public enum StorageLocation: Sendable, Equatable {
    /// A SQLite database file.
    case sqliteFile(path: String)
    /// A SQLite database in memory, gone when the process ends.
    case sqliteInMemory
    /// A PostgreSQL database, shared by every replica: `postgres://user:password@host:5432/database`.
    case postgres(url: String)

    /// Parses `sqlite:FILE`, `sqlite:/absolute/path`, `sqlite::memory:` or `postgres://...` (`postgresql://`).
    public init?(url: String) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
            return
        }
        guard url.hasPrefix("sqlite:") else { return nil }
        let rest = String(url.dropFirst("sqlite:".count))
        if rest == ":memory:" {
            self = .sqliteInMemory
        } else if rest.hasPrefix("//") {
            // sqlite:///absolute/path, as in SQLAlchemy-style URLs
            let path = String(rest.dropFirst(2))
            guard !path.isEmpty else { return nil }
            self = .sqliteFile(path: path)
        } else {
            guard !rest.isEmpty else { return nil }
            self = .sqliteFile(path: rest)
        }
    }
}
