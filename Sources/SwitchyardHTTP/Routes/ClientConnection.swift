import NIOCore

/// Ties work done for a client to the client's connection.
enum ClientConnection {
    /// Runs `operation`, cancelling it as soon as `channel` closes, so a client that leaves mid-stream stops the
    /// upstream request at once instead of at the next write.
    static func cancellingOnClose<Value: Sendable>(_ channel: any Channel, _ operation: () async throws -> Value) async throws -> Value {
        let (closed, signalClosed) = AsyncStream<Void>.makeStream()
        channel.closeFuture.whenComplete { _ in signalClosed.finish() }
        return try await withoutActuallyEscaping(operation) { operation in
            let transfer = ExclusiveOperation(run: operation)
            return try await withThrowingTaskGroup(of: Outcome<Value>.self) { group in
                group.addTask {
                    for await _ in closed {}
                    return .disconnected
                }
                group.addTask { .finished(try await transfer.run()) }
                defer { group.cancelAll() }
                guard case .finished(let value) = try await group.next()! else { throw CancellationError() }
                return value
            }
        }
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case finished(Value)
        case disconnected
    }

    /// Carries a non-Sendable closure into exactly one child task. Safe because that child is its only user and
    /// the caller waits for the child to end before the closure's captures are touched again.
    private struct ExclusiveOperation<Value>: @unchecked Sendable {
        let run: () async throws -> Value
    }
}
