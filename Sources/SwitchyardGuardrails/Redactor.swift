/// Replaces what detectors found with numbered placeholders (`[EMAIL_1]`), numbering across every text of a request
/// it redacts, so the same text gets the same placeholder throughout.
public struct Redactor: Sendable {
    /// The placeholders handed out so far, and what each stands for.
    public var numbering: PlaceholderNumbering

    /// A redactor going on from `numbering`, a fresh one by default.
    public init(numbering: PlaceholderNumbering = PlaceholderNumbering()) {
        self.numbering = numbering
    }

    /// `text` with each detection (from any mix of detectors) replaced by its placeholder. Of overlapping detections
    /// the longer is replaced; detections outside the text are ignored.
    public mutating func redact(_ text: String, detections: [Detection]) -> String {
        let bytes = Array(text.utf8)
        let inText = detections.filter { $0.range.lowerBound >= 0 && $0.range.upperBound <= bytes.count }
        let chosen = OverlapResolver.resolve(inText)
        guard !chosen.isEmpty else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var cursor = 0
        for detection in chosen {
            output.append(contentsOf: bytes[cursor..<detection.range.lowerBound])
            let original = String(decoding: bytes[detection.range], as: UTF8.self)
            output.append(contentsOf: numbering.placeholder(for: detection.kind, original: original).utf8)
            cursor = detection.range.upperBound
        }
        output.append(contentsOf: bytes[cursor...])
        return String(decoding: output, as: UTF8.self)
    }

    /// A restorer putting back the originals of the placeholders handed out so far.
    public var restorer: PlaceholderRestorer {
        PlaceholderRestorer(numbering: numbering)
    }
}
