import MultipartKit
import NIOCore
import SwitchyardCore
import SwitchyardGateway

/// Reads a `multipart/form-data` upload (`file`, `purpose`) with MultipartKit's parser.
enum MultipartUpload {
    /// The upload in `body`, sent with `contentType`.
    /// - Throws: 400 naming what is missing or malformed.
    static func read(_ body: ByteBuffer, contentType: String?) throws(GatewayError) -> FileUpload {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw .badRequest("Upload the file as multipart/form-data, with the fields 'file' and 'purpose'.", code: "invalid_content_type")
        }
        guard let boundary = parameter("boundary", in: contentType), !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw .badRequest("The multipart Content-Type has no valid boundary.", code: "invalid_content_type")
        }
        var parts: [(headers: [(String, String)], body: ByteBuffer)] = []
        var headers: [(String, String)] = []
        var content = ByteBuffer()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { piece in content.writeBuffer(&piece) }
        parser.onPartComplete = {
            parts.append((headers, content))
            headers = []
            content = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw .badRequest("The multipart body could not be read: \(error).")
        }
        func disposition(_ part: (headers: [(String, String)], body: ByteBuffer)) -> String? {
            part.headers.first { $0.0.lowercased() == "content-disposition" }?.1
        }
        guard let file = parts.first(where: { disposition($0).flatMap { parameter("name", in: $0) } == "file" }) else {
            throw .badRequest("The upload has no 'file' field.", param: "file")
        }
        let purpose = parts.first { disposition($0).flatMap { parameter("name", in: $0) } == "purpose" }.map { String(buffer: $0.body) }
        let filename = disposition(file).flatMap { parameter("filename", in: $0) } ?? ""
        return FileUpload(filename: filename, purpose: purpose?.trimmingCharacters(in: .whitespacesAndNewlines), content: file.body)
    }

    /// The value of `name` among a header's `; name=value` parameters, quotes removed.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }
}
