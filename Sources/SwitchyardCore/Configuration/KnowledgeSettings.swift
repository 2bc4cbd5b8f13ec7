/// Knowledge bases (`knowledge:`): uploaded files and the model that embeds their chunks.
public struct KnowledgeSettings: Sendable, Equatable {
    /// The largest file `POST /v1/files` takes.
    public var maxFileBytes: Int
    /// The configured model (public name) that embeds chunks and queries.
    public var embeddingModel: String?

    public init(maxFileBytes: Int = 10 << 20, embeddingModel: String? = nil) {
        self.maxFileBytes = maxFileBytes
        self.embeddingModel = embeddingModel
    }
}
