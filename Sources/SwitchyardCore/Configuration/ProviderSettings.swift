/// How long the gateway waits on an upstream.
public struct UpstreamTimeouts: Sendable, Equatable {
    /// Establishing the TCP (and TLS) connection.
    public var connect: Duration
    /// From sending the request to receiving the response head.
    public var firstByte: Duration
    /// The longest silence between two reads of a streamed response.
    public var streamIdle: Duration
    /// The whole exchange, body included; nil for no limit beyond the others.
    public var total: Duration?

    public init(connect: Duration = .seconds(10), firstByte: Duration = .seconds(60), streamIdle: Duration = .seconds(60), total: Duration? = nil) {
        self.connect = connect
        self.firstByte = firstByte
        self.streamIdle = streamIdle
        self.total = total
    }
}

/// One configured upstream: where it is, how to authenticate, and how long to wait for it.
public struct ProviderSettings: Sendable, Equatable {
    public var name: String
    public var kind: ProviderKind
    /// The endpoint root, without a trailing slash, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    /// The provider's own key; never the key the client sent.
    public var apiKey: String?
    /// Extra headers sent with every upstream request.
    public var headers: [(name: String, value: String)]
    public var timeouts: UpstreamTimeouts
    /// Negotiate HTTP/2 over TLS (ALPN) instead of HTTP/1.1 keep-alive.
    public var http2: Bool
    /// The API version, for providers whose URLs carry one (Azure OpenAI's `api-version`).
    public var apiVersion: String?
    /// The cloud region, for providers that sign requests per region (AWS Bedrock).
    public var region: String?
    /// AWS credentials, for AWS Bedrock without an API key.
    public var aws: AWSKeys?
    /// Certificates (PEM) trusted as roots for this provider's TLS besides the system's: the content of `ca_file`,
    /// for an upstream behind a private certificate authority, read when the configuration is loaded.
    public var caCertificatesPEM: String?

    /// An AWS access key pair, with the session token of temporary credentials.
    public struct AWSKeys: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    public init(
        name: String, kind: ProviderKind, baseURL: String, apiKey: String? = nil,
        headers: [(name: String, value: String)] = [], timeouts: UpstreamTimeouts = .init(), http2: Bool = false, apiVersion: String? = nil,
        region: String? = nil, aws: AWSKeys? = nil, caCertificatesPEM: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.headers = headers
        self.timeouts = timeouts
        self.http2 = http2
        self.apiVersion = apiVersion
        self.region = region
        self.aws = aws
        self.caCertificatesPEM = caCertificatesPEM
    }

    public static func == (lhs: ProviderSettings, rhs: ProviderSettings) -> Bool {
        lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.baseURL == rhs.baseURL && lhs.apiKey == rhs.apiKey
            && lhs.headers.elementsEqual(rhs.headers, by: { $0.name == $1.name && $0.value == $1.value })
            && lhs.timeouts == rhs.timeouts && lhs.http2 == rhs.http2 && lhs.apiVersion == rhs.apiVersion && lhs.region == rhs.region
            && lhs.aws == rhs.aws && lhs.caCertificatesPEM == rhs.caCertificatesPEM
    }
}
