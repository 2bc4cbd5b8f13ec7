package import NIOCore

/// A file as `POST /v1/files` received it: its name, the purpose the client gave, and its bytes.
package struct FileUpload: Sendable {
    package var filename: String
    package var purpose: String?
    package var content: ByteBuffer

    package init(filename: String, purpose: String?, content: ByteBuffer) {
        self.filename = filename
        self.purpose = purpose
        self.content = content
    }
}
