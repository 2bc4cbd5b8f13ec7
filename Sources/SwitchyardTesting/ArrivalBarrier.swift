import Synchronization

/// Holds each arriving task until a set number have arrived (or a deadline passes), so a test can make requests
/// overlap for certain instead of hoping the machine is fast enough.
package final class ArrivalBarrier: Sendable {
    private let count: Int
    private let arrived = Atomic<Int>(0)
    private let allArrived = Gate()

    /// - Parameter count: arrivals that release everyone waiting.
    package init(count: Int) {
        self.count = count
    }

    /// Waits until `count` tasks have arrived, or until `limit` has passed (which releases everyone); either way it
    /// returns.
    package func arrive(limit: Duration = .seconds(10)) async {
        if arrived.add(1, ordering: .relaxed).newValue >= count { return allArrived.open() }
        await allArrived.wait(limit: limit)
    }
}
