import Foundation
import NIOCore

/// The admin web UI's files (`Resources/ui`), read once from the binary's resources.
struct UIAssets: Sendable {
    struct File: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    let files: [String: File]

    /// The files shipped with the binary.
    static let bundled = UIAssets(directory: Bundle.module.url(forResource: "ui", withExtension: nil))

    init(directory: URL?) {
        var files: [String: File] = [:]
        if let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
            for name in names {
                guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { continue }
                files[name] = File(bytes: ByteBuffer(bytes: data), contentType: Self.contentType(of: name))
            }
        }
        self.files = files
    }

    func file(_ name: String) -> File? { files[name] }

    func text(_ name: String) -> String? { files[name].map { String(buffer: $0.bytes) } }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        default: "application/octet-stream"
        }
    }
}
