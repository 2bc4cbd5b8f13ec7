/// The error shape of the OpenAI API: `{"error": {"message", "type", "param", "code"}}`.
/// Read from upstreams that answer with it (the gateway writes its own errors byte by byte).
public struct OpenAIErrorBody: Decodable, Sendable, Equatable {
    public struct Detail: Decodable, Sendable, Equatable {
        public var message: String
        public var type: String?
        public var param: String?
        public var code: String?

        enum CodingKeys: String, CodingKey { case message, type, param, code }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            message = (try? container.decode(String.self, forKey: .message)) ?? ""
            type = try? container.decodeIfPresent(String.self, forKey: .type)
            param = try? container.decodeIfPresent(String.self, forKey: .param)
            // Some OpenAI-compatible servers send a numeric code.
            if let text = try? container.decodeIfPresent(String.self, forKey: .code) {
                code = text
            } else if let number = try? container.decodeIfPresent(Int.self, forKey: .code) {
                code = String(number)
            } else {
                code = nil
            }
        }
    }

    public var error: Detail
}
