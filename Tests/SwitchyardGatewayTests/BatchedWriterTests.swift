import Logging
import Synchronization
import SwitchyardCore
import Testing

@testable import SwitchyardGateway

@Suite("Batched writer")
struct BatchedWriterTests {
    @Test("a refused batch is split until the bad row is isolated; the others are written, the bad one counted")
    func isolatesBadRows() async {
        let written = Mutex<[Int]>([])
        let writer = BatchedWriter<Int>(name: "test", logger: Logger(label: "test")) { rows in
            if rows.contains(13) { throw StorageRefusedRows(GatewayError.badRequest("row 13 is refused")) }
            written.withLock { $0 += rows }
        }
        for row in 0..<40 { writer.record(row) }
        await writer.flush()
        #expect(written.withLock { $0.sorted() } == Array(0..<40).filter { $0 != 13 })
    }

    @Test("while storage cannot take rows, they are kept for a later flush, not dropped")
    func keepsRowsWhileUnreachable() async {
        let reachable = Atomic<Bool>(false)
        let written = Mutex<[Int]>([])
        let writer = BatchedWriter<Int>(name: "test", logger: Logger(label: "test")) { rows in
            guard reachable.load(ordering: .relaxed) else { throw GatewayError.upstreamUnavailable("down") }
            written.withLock { $0 += rows }
        }
        for row in 0..<10 { writer.record(row) }
        await writer.flush()
        #expect(written.withLock { $0.isEmpty })
        reachable.store(true, ordering: .relaxed)
        writer.record(10)
        await writer.flush()
        #expect(written.withLock { $0 } == Array(0...10), "kept rows go first, in order")
    }
}

@Suite("Batched writer, under load")
struct BatchedWriterLoadTests {
    @Test("a writer that found a full batch waiting writes again at once what arrived meanwhile, instead of waiting an interval")
    func catchesUp() async {
        let written = Mutex<[Int]>([])
        let arrivals = Mutex<[Int]>(Array(100..<105))
        let writer = Mutex<BatchedWriter<Int>?>(nil)
        let batched = BatchedWriter<Int>(name: "test", maximumBatch: 2, logger: Logger(label: "test")) { rows in
            written.withLock { $0 += rows }
            // Requests finish while the batch is written: the first write brings five more rows.
            let arrived = arrivals.withLock { arrivals in
                defer { arrivals.removeAll() }
                return arrivals
            }
            if let writer = writer.withLock({ $0 }) { for row in arrived { writer.record(row) } }
        }
        writer.withLock { $0 = batched }
        for row in 0..<4 { batched.record(row) }
        await batched.catchUp()
        #expect(written.withLock { $0 } == [0, 1, 2, 3, 100, 101, 102, 103, 104])
        #expect(await batched.flush() == 0, "nothing was left for the next interval")
    }

    @Test("a writer whose storage cannot take rows stops catching up and keeps them")
    func stopsWhenUnreachable() async {
        let attempts = Atomic<Int>(0)
        let reachable = Atomic<Bool>(false)
        let written = Mutex<[Int]>([])
        let writer = BatchedWriter<Int>(name: "test", maximumBatch: 2, logger: Logger(label: "test")) { rows in
            attempts.add(1, ordering: .relaxed)
            guard reachable.load(ordering: .relaxed) else { throw GatewayError.upstreamUnavailable("down") }
            written.withLock { $0 += rows }
        }
        for row in 0..<6 { writer.record(row) }
        await writer.catchUp()
        #expect(attempts.load(ordering: .relaxed) == 1, "one try, then the interval's wait")
        reachable.store(true, ordering: .relaxed)
        #expect(await writer.flush() == 6)
        #expect(written.withLock { $0 } == Array(0..<6), "every row kept, in order")
    }
}

@Suite("Batched writer, partial failures")
struct BatchedWriterPartialTests {
    @Test("when storage stops taking rows halfway through a split, only the rows not written are kept for later")
    func noRowWrittenTwice() async {
        let written = Mutex<[Int]>([])
        let failOnce = Atomic<Bool>(true)
        let writer = BatchedWriter<Int>(name: "test", logger: Logger(label: "test")) { rows in
            if rows.contains(3) { throw StorageRefusedRows(GatewayError.badRequest("row 3 is refused")) }
            if rows.contains(6), failOnce.exchange(false, ordering: .relaxed) { throw GatewayError.upstreamUnavailable("storage went away") }
            written.withLock { $0 += rows }
        }
        for row in 0..<8 { writer.record(row) }
        await writer.flush()
        await writer.flush()
        #expect(written.withLock { $0.sorted() } == [0, 1, 2, 4, 5, 6, 7], "each row once; the refused one dropped")
    }
}
