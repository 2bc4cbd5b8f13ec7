import Dispatch
import Foundation
import Synchronization

/// Writes log lines to a file descriptor from a thread of its own, so logging never blocks a request on a
/// write to a slow terminal or pipe. Lines queue in memory (up to `capacity` bytes; beyond that they are
/// dropped and counted) and the writer thread drains them in large writes.
public final class LogLineWriter: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var dropped = 0
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let descriptor: Int32
    private let capacity: Int
    /// Serialises the writer thread's writes with ``flush()``'s.
    private let writing = Mutex(())

    /// A writer to standard error, shared by every log handler of the process.
    public static let standardError = LogLineWriter(descriptor: 2)

    public init(descriptor: Int32, capacity: Int = 8 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        let thread = Thread { [self] in self.drainForever() }
        thread.name = "switchyard-log-writer"
        thread.start()
    }

    /// Queues one line (a newline is added); never waits on I/O.
    public func write(_ line: some Sequence<UInt8>) {
        let wasEmpty = state.withLock { state -> Bool? in
            guard state.pending.count < capacity else {
                state.dropped += 1
                return nil
            }
            let wasEmpty = state.pending.isEmpty
            state.pending.append(contentsOf: line)
            state.pending.append(UInt8(ascii: "\n"))
            return wasEmpty
        }
        if wasEmpty == true { wake.signal() }
    }

    /// Writes everything queued now, on the calling thread: before the process exits.
    public func flush() {
        writing.withLock { _ in writeOut(takePending()) }
    }

    /// Under load lines arrive faster than one write each is worth: after a write the thread lets lines gather
    /// for this long, so a busy gateway makes a few hundred writes a second rather than one per line.
    private static let gatheringPause: UInt32 = 2_000

    private func drainForever() {
        while true {
            wake.wait()
            writing.withLock { _ in writeOut(takePending()) }
            usleep(Self.gatheringPause)
        }
    }

    private func takePending() -> [UInt8] {
        state.withLock { state in
            var taken: [UInt8] = []
            swap(&taken, &state.pending)
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
