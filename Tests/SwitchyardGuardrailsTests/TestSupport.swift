import SwitchyardGuardrails

/// What a `PIIDetector` for `entities` finds in `text`, each as `kind=matched text`, the matched text sliced from the
/// text's UTF-8 bytes by the detection's range.
func findings(in text: String, entities: Set<Entity> = Entity.all) -> [String] {
    describe(PIIDetector(entities: entities).detections(in: text), in: text)
}

/// Each detection as `kind=matched text`, sliced from the UTF-8 bytes of `text`.
func describe(_ detections: [Detection], in text: String) -> [String] {
    let bytes = Array(text.utf8)
    return detections.map { detection in
        guard detection.range.lowerBound >= 0, detection.range.upperBound <= bytes.count else {
            return "\(detection.kind)=<out of bounds: \(detection.range)>"
        }
        return "\(detection.kind)=" + String(decoding: bytes[detection.range], as: UTF8.self)
    }
}

/// A text and what should be found in it (`kind=matched text`, in order).
struct Sample: Sendable, CustomStringConvertible {
    let text: String
    let found: [String]

    init(_ text: String, _ found: [String]) {
        self.text = text
        self.found = found
    }

    var description: String { text.debugDescription }
}

/// SplitMix64: a small seeded generator, so random tests are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
