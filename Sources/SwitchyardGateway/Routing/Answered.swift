/// The answer of the attempt that succeeded, with the lease on its target still open.
struct Answered<Value: Sendable>: Sendable {
    var value: Value
    var lease: TargetLease
    var attempts: Int
}
