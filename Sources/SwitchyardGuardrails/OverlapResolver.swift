/// Makes a list of detections from any detectors sorted by start and free of overlaps: two overlapping detections
/// become one covering both, of the longer's kind (on a tie, the one listed first).
enum OverlapResolver {
    static func resolve(_ detections: [Detection]) -> [Detection] {
        let ordered = detections.enumerated().filter { !$0.element.range.isEmpty }.sorted { first, second in
            let (a, b) = (first.element.range, second.element.range)
            if a.lowerBound != b.lowerBound { return a.lowerBound < b.lowerBound }
            if a.count != b.count { return a.count > b.count }
            return first.offset < second.offset
        }
        var kept: [Detection] = []
        for (_, detection) in ordered {
            guard let last = kept.last, detection.range.lowerBound < last.range.upperBound else {
                kept.append(detection)
                continue
            }
            // Overlapping findings become one covering both (nothing of either is left out), of the longer's kind.
            let kind = detection.range.count > last.range.count ? detection.kind : last.kind
            kept[kept.count - 1] = Detection(kind: kind, range: last.range.lowerBound..<max(last.range.upperBound, detection.range.upperBound))
        }
        return kept
    }
}
