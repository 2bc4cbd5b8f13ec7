public import NIOCore

extension TopLevelJSON {
    /// A copy of the document with the value of `member` replaced by `replacement` (raw JSON bytes);
    /// every other byte is kept as it was.
    public func replacingValue(of member: Member, with replacement: some Collection<UInt8>) -> ByteBuffer {
        let start = buffer.readerIndex
        var output = ByteBufferAllocator().buffer(capacity: buffer.readableBytes - member.valueRange.count + replacement.count)
        output.writeImmutableBuffer(buffer.getSlice(at: start, length: member.valueRange.lowerBound)!)
        output.writeBytes(replacement)
        output.writeImmutableBuffer(
            buffer.getSlice(at: start + member.valueRange.upperBound, length: buffer.readableBytes - member.valueRange.upperBound)!)
        return output
    }

    /// A copy of the document with `"key": rawValue` added as the first member of the root object; `rawValue` must
    /// be valid JSON. Every other byte is kept.
    public func insertingMember(_ key: String, rawValue: String) -> ByteBuffer {
        let start = buffer.readerIndex
        var output = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + key.utf8.count + rawValue.utf8.count + 4)
        output.writeImmutableBuffer(buffer.getSlice(at: start, length: rootStart + 1)!)
        output.writeBytes(JSONString.quoted(key))
        output.writeInteger(UInt8(ascii: ":"))
        output.writeString(rawValue)
        if !members.isEmpty { output.writeInteger(UInt8(ascii: ",")) }
        output.writeImmutableBuffer(buffer.getSlice(at: start + rootStart + 1, length: buffer.readableBytes - rootStart - 1)!)
        return output
    }
}

extension TopLevelJSON {
    /// The document with its top-level `"model"` set to `model`; unchanged when it has no string `model` or
    /// already names that one.
    public func replacingModel(with model: String) -> ByteBuffer {
        guard rootKind == .object, let member = member("model"), member.kind == .string, string(member) != model else { return buffer }
        return replacingValue(of: member, with: JSONString.quoted(model))
    }
}

extension ByteBuffer {
    /// Rewrites the top-level `"model"` of a JSON object to `model`, or returns the buffer unchanged when it is
    /// not a JSON object with a string `model`.
    public func rewritingTopLevelModel(to model: String) -> ByteBuffer {
        guard let document = try? TopLevelJSON(scanning: self) else { return self }
        return document.replacingModel(with: model)
    }
}
