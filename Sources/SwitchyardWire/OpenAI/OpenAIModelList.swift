

/// The list answered by `GET /v1/models`.
public struct OpenAIModelList: Codable, Sendable, Equatable {
    public var object: String = "list"
    public var data: [OpenAIModel]

    public init(data: [OpenAIModel]) {
        self.data = data
    }
}
