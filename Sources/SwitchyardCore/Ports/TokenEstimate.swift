import NIOCore

/// A cheap guess at the tokens a request body holds, where no tokenizer is at hand: about four bytes a token.
public enum TokenEstimate {
    public static func tokens(in body: ByteBuffer) -> Int { (body.readableBytes + 3) / 4 }
}
