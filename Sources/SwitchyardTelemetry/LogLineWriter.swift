import Dispatch
import Foundation
import Synchronization

/// Writes log lines to a file descriptor from a thread of its own, so logging never blocks a request on a
/// write to a slow terminal or pipe. Lines queue in memory (up to `capacity` bytes; beyond that they are
/// dropped and counted) and the writer thread drains them in large writes.
package final class LogLineWriter: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var dropped = 0
        /// Whether the writer thread waits for a signal rather than polling; only then does a new line wake it.
        var writerWaits = true
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let descriptor: Int32
    private let capacity: Int
    /// Serialises the writer thread's writes with ``flush()``'s.
    private let writing = Mutex(())

    /// A writer to standard error, shared by every log handler of the process.
    package static let standardError = LogLineWriter(descriptor: 2)

    package init(descriptor: Int32, capacity: Int = 8 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        let thread = Thread { [self] in
            // Named from the thread itself, where the name reaches the system's (as `ps` and `/proc` show it); at
            // most 15 bytes, which is all Linux keeps.
            Thread.current.name = "switchyard-log"
            self.drainForever()
        }
        thread.start()
    }

    /// Queues one line (a newline is added); never waits on I/O.
    package func write(_ line: some Sequence<UInt8>) {
        let wakeWriter = state.withLock { state -> Bool in
            guard state.pending.count < capacity else {
                state.dropped += 1
                return false
            }
            state.pending.append(contentsOf: line)
            state.pending.append(UInt8(ascii: "\n"))
            guard state.writerWaits else { return false }
            state.writerWaits = false
            return true
        }
        if wakeWriter { wake.signal() }
    }

    /// Writes everything queued now, on the calling thread: before the process exits.
    package func flush() {
        writing.withLock { _ in writeOut(takePending()) }
    }

    /// Once woken, the thread polls for lines at this interval rather than being signalled for each: a signal
    /// is a system call and a thread wake-up on the request's path, and at a few hundred requests a second every
    /// line would cost one.
    private static let pollInterval: UInt32 = 20_000
    /// Polls that find nothing before the thread goes back to waiting for a signal (a second's worth), so an idle
    /// gateway does not wake at all.
    private static let idlePollsBeforeWaiting = 50

    private func drainForever() {
        while true {
            wake.wait()
            var idlePolls = 0
            while true {
                let lines = takePending()
                if lines.isEmpty {
                    idlePolls += 1
                    let waits = idlePolls >= Self.idlePollsBeforeWaiting && state.withLock { state in
                        state.writerWaits = state.pending.isEmpty
                        return state.writerWaits
                    }
                    if waits { break }
                } else {
                    idlePolls = 0
                    writing.withLock { _ in writeOut(lines) }
                }
                usleep(Self.pollInterval)
            }
        }
    }

    private func takePending() -> [UInt8] {
        state.withLock { state in
            var taken: [UInt8] = []
            swap(&taken, &state.pending)
            // The next lines go into room of the same size, so queueing them does not grow the array step by step.
            if !taken.isEmpty { state.pending.reserveCapacity(min(taken.count, capacity)) }
            if state.dropped > 0 {
                taken.append(contentsOf: Array("{\"level\":\"warning\",\"message\":\"\(state.dropped) log lines dropped: output too slow\"}\n".utf8))
                state.dropped = 0
            }
            return taken
        }
    }

    private func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
