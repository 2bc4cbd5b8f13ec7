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

    /// For the request log: each guardrail's action and its findings by kind, `pii=redact:credit_card=1,email=2`
    /// (`output:` before a guardrail acting on the answer).
    package var logged: String {
        entries.map { entry in
            (entry.direction == "output" ? "output:" : "") + "\(entry.guardrail)=\(entry.action):"
                + entry.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }.joined(separator: ";")
    }

    /// The report a request log's `logged` text holds; nil for an empty or unreadable one.
    package init?(logged: String) {
        for item in logged.split(separator: ";") {
            var text = Substring(item)
            let direction = text.hasPrefix("output:") ? "output" : "input"
            if direction == "output" { text = text.dropFirst("output:".count) }
            guard let equals = text.firstIndex(of: "="), let colon = text[equals...].firstIndex(of: ":") else { return nil }
            var counts: [String: Int] = [:]
            for pair in text[text.index(after: colon)...].split(separator: ",") {
                guard let sign = pair.lastIndex(of: "="), let count = Int(pair[pair.index(after: sign)...]) else { return nil }
                counts[String(pair[..<sign]), default: 0] += count
            }
            let guardrail = String(text[..<equals])
            let action = String(text[text.index(after: equals)..<colon])
            if let index = entries.firstIndex(where: { $0.guardrail == guardrail && $0.direction == direction && $0.action == action }) {
                entries[index].counts.merge(counts, uniquingKeysWith: +)
            } else {
                entries.append(Entry(guardrail: guardrail, action: action, direction: direction, counts: counts))
            }
        }
        if entries.isEmpty { return nil }
    }

    /// `x-switchyard-guardrails`: `pii=redact:2,words=flag:1` (a guardrail's findings in the request and in the
    /// answer added up).
    package var header: String {
        var totals: [(name: String, count: Int)] = []
        for entry in entries {
            let name = "\(entry.guardrail)=\(entry.action)"
            if let index = totals.firstIndex(where: { $0.name == name }) { totals[index].count += entry.total } else { totals.append((name, entry.total)) }
        }
        return totals.map { "\($0.name):\($0.count)" }.joined(separator: ",")
    }

    /// This report followed by `other`'s entries.
    package func merged(with other: GuardrailReport?) -> GuardrailReport {
        var merged = self
        merged.entries += other?.entries ?? []
        return merged
    }
}
