public import Foundation
import Synchronization

/// One request as the request log keeps it.
public struct RequestLogEntry: Sendable, Equatable, Codable {
    /// The row's own id: unique even when clients reuse request ids, and ordered by time (see ``makeID(at:)``),
    /// so it doubles as the pagination cursor.
    public var id: String
    public var requestID: String
    public var time: Date
    public var method: String
    public var path: String
    public var status: Int
    public var keyID: String?
    public var teamID: String?
    public var model: String?
    public var target: String?
    public var attempts: Int
    public var stream: Bool
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int
    /// What the response cache did: `hit`, `semantic-hit`, `miss` or `bypass`; nil when the model's cache is off.
    public var cache: String?
    /// What the guardrails did, by guardrail, action and kind of finding with counts (`pii=redact:email=2`); never
    /// the matched text. Nil when none acted.
    public var guardrails: String?
    /// The prompt endpoint and version the request ran (`sentiment@2`), if any.
    public var prompt: String?
    public var costUSD: Double
    public var latencyMilliseconds: Double
    public var timeToFirstTokenMilliseconds: Double?
    public var overheadMilliseconds: Double?
    public var error: String?
    public var requestBody: String?
    public var responseBody: String?

    public init(
        id: String, requestID: String, time: Date, method: String, path: String, status: Int, keyID: String? = nil, teamID: String? = nil,
        model: String? = nil, target: String? = nil, attempts: Int = 0, stream: Bool = false, promptTokens: Int = 0, completionTokens: Int = 0,
        cachedTokens: Int = 0, costUSD: Double = 0, latencyMilliseconds: Double = 0, timeToFirstTokenMilliseconds: Double? = nil,
        overheadMilliseconds: Double? = nil, error: String? = nil, requestBody: String? = nil, responseBody: String? = nil
    ) {
        self.id = id
        self.requestID = requestID
        self.time = time
        self.method = method
        self.path = path
        self.status = status
        self.keyID = keyID
        self.teamID = teamID
        self.model = model
        self.target = target
        self.attempts = attempts
        self.stream = stream
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
        self.latencyMilliseconds = latencyMilliseconds
        self.timeToFirstTokenMilliseconds = timeToFirstTokenMilliseconds
        self.overheadMilliseconds = overheadMilliseconds
        self.error = error
        self.requestBody = requestBody
        self.responseBody = responseBody
    }

    /// A row id that sorts by time: microseconds since 1970 in 16 digits, then 8 random hex digits.
    public static func makeID(at time: Date) -> String {
        let micros = UInt64(max(0, (time.timeIntervalSince1970 * 1_000_000).rounded()))
        let random = RowIDRandom.shared.next()
        return String(unsafeUninitializedCapacity: 25) { bytes in
            var decimal = micros
            for index in stride(from: 15, through: 0, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(decimal % 10)
                decimal /= 10
            }
            bytes[16] = UInt8(ascii: "-")
            let hexDigits: StaticString = "0123456789abcdef"
            for index in 0..<8 {
                bytes[17 + index] = hexDigits.utf8Start[Int((random >> (28 - 4 * UInt32(index))) & 0xF)]
            }
            return 25
        }
    }

    /// The smallest row id of `time` and later: its 16 digits of microseconds alone, which sort before every id
    /// made at that microsecond. Ranges of time are ranges of ids.
    public static func firstID(at time: Date) -> String {
        // Sixteen digits reach into the year 2286; a later time is past every id.
        let micros = min(UInt64(min(max(0, (time.timeIntervalSince1970 * 1_000_000).rounded()), 1e16)), 9_999_999_999_999_999)
        let digits = String(micros)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    /// Whether `text` has the shape of a row id.
    public static func isID(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count == 2 && parts[0].count == 16 && parts[0].allSatisfy { ("0"..."9").contains($0) } && parts[1].count == 8
            && parts[1].allSatisfy(\.isHexDigit)
    }

    enum CodingKeys: String, CodingKey {
        case id, time, method, path, status, model, target, attempts, stream, error, cache, guardrails, prompt
        case requestID = "request_id"
        case keyID = "key_id"
        case teamID = "team_id"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case cachedTokens = "cached_tokens"
        case costUSD = "cost_usd"
        case latencyMilliseconds = "latency_ms"
        case timeToFirstTokenMilliseconds = "ttft_ms"
        case overheadMilliseconds = "overhead_ms"
        case requestBody = "request_body"
        case responseBody = "response_body"
    }
}

/// Which request-log rows to list.
public struct RequestLogQuery: Sendable, Equatable {
    public var keyID: String?
    public var teamID: String?
    public var model: String?
    public var status: Int?
    public var requestID: String?
    public var from: Date?
    public var to: Date?
    /// Lists rows older than the row with this id (the previous page's last id).
    public var cursor: String?
    public var limit: Int

    public init(
        keyID: String? = nil, teamID: String? = nil, model: String? = nil, status: Int? = nil, requestID: String? = nil, from: Date? = nil,
        to: Date? = nil, cursor: String? = nil, limit: Int = 100
    ) {
        self.keyID = keyID
        self.teamID = teamID
        self.model = model
        self.status = status
        self.requestID = requestID
        self.from = from
        self.to = to
        self.cursor = cursor
        self.limit = limit
    }
}

/// Where the request log is kept.
public protocol RequestLogStore: Sendable {
    /// Appends rows in one statement.
    func appendLogs(_ entries: [RequestLogEntry]) async throws
    /// Rows matching `query`, newest first, at most `query.limit`.
    func logs(_ query: RequestLogQuery) async throws -> [RequestLogEntry]
    /// Deletes rows older than `cutoff`; returns how many.
    @discardableResult
    func pruneLogs(before cutoff: Date) async throws -> Int
}

/// Random suffixes for row ids without a system call each: a SplitMix64 sequence from a seed drawn once from the
/// system's generator. Ids need to be unlikely to collide, not unpredictable.
final class RowIDRandom: Sendable {
    static let shared = RowIDRandom()

    private let state: Atomic<UInt64>

    private init() {
        var system = SystemRandomNumberGenerator()
        state = Atomic(system.next())
    }

    func next() -> UInt32 {
        var mixed = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }
}
