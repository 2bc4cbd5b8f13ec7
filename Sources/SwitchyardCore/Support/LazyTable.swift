public import Synchronization

/// Values made on first use, one per key, and shared after: metric handles per label set, clients per setting.
public final class LazyTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline let values = Mutex<[Key: Value]>([:])
    @usableFromInline let maximumCount: Int

    /// - Parameter maximumCount: beyond this many keys, values are made on every use rather than kept, for tables
    ///   whose keys are not bounded by the configuration.
    public init(maximumCount: Int = .max) {
        self.maximumCount = maximumCount
    }

    /// The value for `key`, made by `make` (under the table's lock) the first time it is asked for.
    @inlinable
    public func value<Failure: Error>(for key: Key, make: (Key) throws(Failure) -> Value) throws(Failure) -> Value {
        try values.withLock { values throws(Failure) in
            if let value = values[key] { return value }
            let value = try make(key)
            if values.count < maximumCount { values[key] = value }
            return value
        }
    }

    /// Removes the entries whose key matches `predicate` and returns their values, to be shut down.
    public func remove(where predicate: (Key) -> Bool) -> [Value] {
        values.withLock { values in
            let removed = values.filter { predicate($0.key) }
            for key in removed.keys { values[key] = nil }
            return Array(removed.values)
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
