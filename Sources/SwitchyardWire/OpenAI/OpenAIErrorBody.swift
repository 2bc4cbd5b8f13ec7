/// The error shape of the OpenAI API: `{"error": {"message", "type", "param", "code"}}`.
public struct OpenAIErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var message: String
        public var type: String?
        public var param: String?
        public var code: String?

        public init(message: String, type: String?, param: String?, code: String?) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }

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

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }
    }

    public var error: Detail

    public init(error: Detail) {
        self.error = error
    }
}
