/// Why a tokenizer's vocabulary could not be loaded.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The module's resource bundle holds no vocabulary file of this name.
    case missingVocabulary(name: String)
    /// The vocabulary file could not be read.
    case unreadableVocabulary(path: String, reason: String)
    /// A line of the vocabulary is not `base64-token rank`.
    case malformedVocabulary(line: Int, reason: String)
    /// The vocabulary lacks something every tiktoken vocabulary has, such as a token for each single byte.
    case incompleteVocabulary(reason: String)

    public var description: String {
        switch self {
        case .missingVocabulary(let name): "no vocabulary \(name).tiktoken in the module's resources"
        case .unreadableVocabulary(let path, let reason): "cannot read vocabulary \(path): \(reason)"
        case .malformedVocabulary(let line, let reason): "malformed vocabulary, line \(line): \(reason)"
        case .incompleteVocabulary(let reason): "incomplete vocabulary: \(reason)"
        }
    }
}
