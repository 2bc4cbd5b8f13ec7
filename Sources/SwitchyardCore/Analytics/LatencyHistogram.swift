/// Durations counted in fixed buckets, so that percentiles can be estimated from sums kept per minute (and added up
/// over any range) instead of from every request.
public enum LatencyHistogram {
    /// Each bucket's upper bound in milliseconds; the last bucket holds everything above the last bound.
    public static let bounds: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000]

    /// How many buckets a histogram has.
    public static var bucketCount: Int { bounds.count + 1 }

    /// The bucket `milliseconds` falls in.
    public static func bucket(of milliseconds: Double) -> Int {
        guard milliseconds.isFinite else { return bounds.count }
        return bounds.firstIndex { milliseconds <= $0 } ?? bounds.count
    }

    /// The estimated `quantile` (0 to 1) of the durations counted in `counts`, interpolated within its bucket; nil
    /// when nothing was counted.
    public static func quantile(_ quantile: Double, of counts: [Int]) -> Double? {
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = min(max(quantile, 0), 1) * Double(total)
        var seen = 0.0
        for (index, count) in counts.enumerated() where count > 0 {
            let next = seen + Double(count)
            if rank <= next {
                let lower = index == 0 ? 0 : bounds[min(index - 1, bounds.count - 1)]
                // Above the last bound nothing is known but that it is above: the bound itself is reported.
                guard index < bounds.count else { return lower }
                let upper = bounds[index]
                let within = (rank - seen) / Double(count)
                return lower + (upper - lower) * within
            }
            seen = next
        }
        return bounds.last
    }
}
