public import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a byte stream into Server-Sent Events, however the bytes are split across reads.
///
/// A value-type state machine: feed it bytes as they arrive, then take every event that became complete.
/// Lines end with LF, CRLF or CR (a CR at the end of one read followed by an LF at the start of the next
/// counts once). Comment lines and unknown fields are ignored; `retry:` is ignored.
public struct ServerSentEventDecoder: Sendable {
    private var pending: ByteBuffer
    /// Offset (from the reader index) up to which `pending` holds no line terminator.
    private var scannedUpTo = 0
    /// The previous read ended with CR, so a leading LF belongs to that line end.
    private var skipLeadingLineFeed = false
    private var event: String?
    private var id: String?
    private var data: ByteBuffer?

    public init() {
        pending = ByteBufferAllocator().buffer(capacity: 0)
    }

    /// Adds bytes read from the stream.
    public mutating func feed(_ bytes: ByteBuffer) {
        pending.writeImmutableBuffer(bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    public mutating func next() -> ServerSentEvent? {
        while let line = nextLine() {
            if line.readableBytes == 0 {
                if let dispatched = dispatch() { return dispatched }
                continue
            }
            process(line)
        }
        if pending.readerIndex > 4096 { pending.discardReadBytes() }
        return nil
    }

    /// Bytes held for events not yet complete, for callers that cap how much an upstream may make them hold.
    public var bufferedBytes: Int { pending.readableBytes + (data?.readableBytes ?? 0) }

    /// Whether bytes of an unfinished event are held (used to tell a clean end of stream from a cut one).
    public var hasPartialEvent: Bool {
        pending.readableBytes > 0 || data != nil || event != nil
    }

    private mutating func nextLine() -> ByteBuffer? {
        if skipLeadingLineFeed, let first = pending.getInteger(at: pending.readerIndex, as: UInt8.self) {
            skipLeadingLineFeed = false
            if first == UInt8(ascii: "\n") { pending.moveReaderIndex(forwardBy: 1) }
        }
        let scanned = scannedUpTo
        // The first line end at or after `scanned`, found with memchr: a long event costs one pass over its bytes.
        let found: (offset: Int, byte: UInt8)? = pending.withUnsafeReadableBytes { bytes in
            guard scanned < bytes.count, let base = bytes.baseAddress else { return nil }
            let start = base + scanned
            let count = bytes.count - scanned
            let lineFeed = memchr(start, Int32(UInt8(ascii: "\n")), count)
            // A CR only counts before the first LF, so the search for it never runs past that LF.
            let crLimit = lineFeed.map { $0 - UnsafeMutableRawPointer(mutating: start) } ?? count
            if let carriageReturn = memchr(start, Int32(UInt8(ascii: "\r")), crLimit) {
                return (scanned + (carriageReturn - UnsafeMutableRawPointer(mutating: start)), UInt8(ascii: "\r"))
            }
            return lineFeed.map { (scanned + ($0 - UnsafeMutableRawPointer(mutating: start)), UInt8(ascii: "\n")) }
        }
        guard let found, let line = pending.readSlice(length: found.offset) else {
            scannedUpTo = pending.readableBytes
            return nil
        }
        pending.moveReaderIndex(forwardBy: 1)
        scannedUpTo = 0
        if found.byte == UInt8(ascii: "\r") {
            if let following = pending.getInteger(at: pending.readerIndex, as: UInt8.self) {
                if following == UInt8(ascii: "\n") { pending.moveReaderIndex(forwardBy: 1) }
            } else {
                skipLeadingLineFeed = true
            }
        }
        return line
    }

    private mutating func process(_ line: ByteBuffer) {
        let view = line.readableBytesView
        if view.first == UInt8(ascii: ":") { return }  // comment
        // A field name is short: the colon is looked for only among the first bytes.
        let colon = view.prefix(16).firstIndex(of: UInt8(ascii: ":"))
        let nameEnd = colon ?? view.endIndex
        var valueStart = colon.map { $0 + 1 } ?? view.endIndex
        if valueStart < view.endIndex, view[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let name = view[view.startIndex..<nameEnd]
        let value = view[valueStart..<view.endIndex]
        if name.elementsEqual("data".utf8) {
            if data == nil {
                data = line.getSlice(at: line.readerIndex + (valueStart - view.startIndex), length: value.count)!
            } else {
                data!.writeInteger(UInt8(ascii: "\n"))
                data!.writeBytes(value)
            }
        } else if name.elementsEqual("event".utf8) {
            event = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        }
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data = nil
            event = nil
        }
        guard let data else { return nil }
        return ServerSentEvent(event: event, data: data, id: id)
    }
}
