import Synchronization

/// Values made on first use, one per key, and shared after: metric handles per label set, clients per setting.
public final class LazyTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])

    public init() {}

    /// The value for `key`, made by `make` (under the table's lock) the first time it is asked for.
    public func value(for key: Key, make: (Key) -> Value) -> Value {
        values.withLock { values in
            if let value = values[key] { return value }
            let value = make(key)
            values[key] = value
            return value
        }
    }

    /// Empties the table and returns what it held, to be shut down.
    public func removeAll() -> [Value] {
        values.withLock { values in
            defer { values.removeAll() }
            return Array(values.values)
        }
    }
}
