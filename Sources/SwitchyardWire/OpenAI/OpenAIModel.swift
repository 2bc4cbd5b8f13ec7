

/// A model as listed by `GET /v1/models`.
public struct OpenAIModel: Codable, Sendable, Equatable {
    public var id: String
    public var object: String = "model"
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }
}
