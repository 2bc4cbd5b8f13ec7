import Synchronization

/// A value replaced as a whole when the configuration is reloaded. Each read gets the value of that moment, so a
/// request that read it once keeps working with what it read.
package final class Swappable<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    package init(_ value: Value) {
        self.value = Mutex(value)
    }

    /// The value now.
    package var current: Value { value.withLock { $0 } }

    /// Puts `newValue` in place for every later read.
    package func replace(with newValue: Value) {
        value.withLock { $0 = newValue }
    }
}
