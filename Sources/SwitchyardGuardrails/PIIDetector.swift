/// Finds personal data and secrets (`Entity`) in a text, in one forward pass over its UTF-8 bytes: at each position
/// the byte there decides which entities may start, the longest match wins (on a tie, the entity listed first in
/// `Entity`), and the scan goes on after it. E-mail addresses are found on meeting their `@`, the start of the local
/// part being tracked as the scan goes.
///
/// A match is never glued to an ASCII letter or digit on either side; other characters (punctuation, spaces,
/// non-ASCII text) are boundaries.
public struct PIIDetector: Sendable {
    /// The entities looked for.
    public let entities: Set<Entity>
    /// The entities looked for, in `Entity` order (which breaks ties).
    private let ordered: [Entity]

    /// A detector for `entities`, every entity by default.
    public init(entities: Set<Entity> = Entity.all) {
        self.entities = entities
        ordered = Entity.allCases.filter { entities.contains($0) }
    }

    /// What the text holds, sorted by start and not overlapping; ranges are UTF-8 byte offsets.
    public func detections(in text: String) -> [Detection] {
        let bytes = ByteText(text)
        let findsEmail = entities.contains(.email)
        var found: [Detection] = []
        var localPart = LocalPartRun()
        var position = 0
        while position < bytes.count {
            let byte = bytes[position]
            var matchEnd: Int?
            if byte == UInt8(ascii: "@") {
                if findsEmail, let range = EmailMatcher.match(in: bytes, at: position, runStart: localPart.start),
                    Self.admit(Detection(kind: Entity.email.rawValue, range: range), into: &found)
                {
                    matchEnd = range.upperBound
                }
            } else if let match = longestMatch(in: bytes, at: position, startingWith: byte) {
                found.append(Detection(kind: match.entity.rawValue, range: position..<match.end))
                matchEnd = match.end
            }
            let next = max(matchEnd ?? position + 1, position + 1)
            while position < next {
                localPart.advance(past: bytes[position], at: position)
                position += 1
            }
        }
        return found
    }

    /// The longest match of any entity looked for starting at `start`.
    private func longestMatch(in text: ByteText, at start: Int, startingWith byte: UInt8) -> (entity: Entity, end: Int)? {
        var best: (entity: Entity, end: Int)?
        for entity in ordered where entity.mayStart(with: byte) {
            guard let end = entity.matchEnd(in: text, at: start), end > start else { continue }
            if let current = best, current.end >= end { continue }
            best = (entity, end)
        }
        return best
    }

    /// Adds an e-mail address, which starts before the scan position and may overlap what was found since its
    /// local part began: it replaces those when longer than each, and is dropped otherwise.
    private static func admit(_ email: Detection, into found: inout [Detection]) -> Bool {
        var firstOverlap = found.count
        while firstOverlap > 0, found[firstOverlap - 1].range.upperBound > email.range.lowerBound {
            firstOverlap -= 1
        }
        guard found[firstOverlap...].allSatisfy({ $0.range.count <= email.range.count }) else { return false }
        found.removeSubrange(firstOverlap...)
        found.append(email)
        return true
    }
}
