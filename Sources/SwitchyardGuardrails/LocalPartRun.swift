/// Where the run of bytes that may belong to an e-mail local part (its ASCII characters, and any non-ASCII
/// character, sorted out when an `@` is met) ends at the scan position, kept up to date as the scan moves forward,
/// so that meeting an `@` tells where an address may begin without looking back.
struct LocalPartRun {
    private(set) var start: Int?

    /// Notes the byte at `position`, which the scan is moving past.
    mutating func advance(past byte: UInt8, at position: Int) {
        if byte >= 0x80 || EmailMatcher.isLocalPartByte(byte) {
            if start == nil { start = position }
        } else {
            start = nil
        }
    }
}
