import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Synchronization
import SwitchyardCore
import SwitchyardGateway
import Tracing

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-request-id")!
    static let overhead = HTTPField.Name("x-switchyard-overhead-ms")!
    static let switchyardTarget = HTTPField.Name("x-switchyard-target")!
    static let switchyardPrompt = HTTPField.Name("x-switchyard-prompt")!
    static let referrerPolicy = HTTPField.Name("referrer-policy")!
    static let xFrameOptions = HTTPField.Name("x-frame-options")!
    /// RFC 9745: when the resource was (or will be) deprecated.
    static let deprecation = HTTPField.Name("deprecation")!
    /// RFC 8594: when the resource stops answering.
    static let sunset = HTTPField.Name("sunset")!
    static let switchyardAttempts = HTTPField.Name("x-switchyard-attempts")!
    static let switchyardCache = HTTPField.Name("x-switchyard-cache")!
    static let switchyardConversation = HTTPField.Name("x-switchyard-conversation")!
    static let switchyardContext = HTTPField.Name("x-switchyard-context")!
    static let switchyardMemory = HTTPField.Name("x-switchyard-memory")!
    static let switchyardKnowledge = HTTPField.Name("x-switchyard-knowledge")!
    static let switchyardGuardrails = HTTPField.Name("x-switchyard-guardrails")!
    static let apiKey = HTTPField.Name("x-api-key")!
    static let googleAPIKey = HTTPField.Name("x-goog-api-key")!
    static let rateLimitRequests = HTTPField.Name("x-ratelimit-limit-requests")!
    static let rateLimitRemainingRequests = HTTPField.Name("x-ratelimit-remaining-requests")!
    static let rateLimitResetRequests = HTTPField.Name("x-ratelimit-reset-requests")!
    static let rateLimitTokens = HTTPField.Name("x-ratelimit-limit-tokens")!
    static let rateLimitRemainingTokens = HTTPField.Name("x-ratelimit-remaining-tokens")!
    static let rateLimitResetTokens = HTTPField.Name("x-ratelimit-reset-tokens")!
    /// Tells nginx in front of the gateway not to buffer a stream.
    static let accelBuffering = HTTPField.Name("x-accel-buffering")!
    /// Set by the server on a request whose body it did not read: see ``BodyRefusal``.
    static let bodyRefused = HTTPField.Name("x-switchyard-body-refused")!
}
