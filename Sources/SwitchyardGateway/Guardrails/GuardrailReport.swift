/// What the guardrails did to one request: for each guardrail that acted, its action and how many things of each
/// kind it found. Never the matched text itself.
package struct GuardrailReport: Sendable, Equatable {
    package struct Entry: Sendable, Equatable {
        package var guardrail: String
        package var action: String
        package var direction: String
        /// Findings by kind (`email`, or the guardrail's name for patterns and words).
        package var counts: [String: Int]

        package var total: Int { counts.values.reduce(0, +) }
    }

    package private(set) var entries: [Entry] = []

    package init() {}

    package var isEmpty: Bool { entries.isEmpty }

    /// Notes that `guardrail` found `kinds` (one element per finding) and took `action`.
    mutating func record(guardrail: String, action: String, direction: String, kinds: [String]) {
        guard !kinds.isEmpty else { return }
        if let index = entries.firstIndex(where: { $0.guardrail == guardrail && $0.direction == direction }) {
            for kind in kinds { entries[index].counts[kind, default: 0] += 1 }
        } else {
            entries.append(Entry(guardrail: guardrail, action: action, direction: direction, counts: Dictionary(kinds.map { ($0, 1) }, uniquingKeysWith: +)))
        }
    }

    /// For the request log: each guardrail's action and its findings by kind, `pii=redact:credit_card=1,email=2`.
    package var logged: String {
        entries.map { entry in
            "\(entry.guardrail)=\(entry.action):" + entry.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }.joined(separator: ";")
    }

    /// `x-switchyard-guardrails`: `pii=redact:2,words=flag:1`.
    package var header: String {
        entries.map { "\($0.guardrail)=\($0.action):\($0.total)" }.joined(separator: ",")
    }
}
