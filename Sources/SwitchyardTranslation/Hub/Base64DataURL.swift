import SwitchyardCore
import SwitchyardWire

/// A `data:<media type>;base64,<data>` URL, as OpenAI clients send inline images.
struct Base64DataURL {
    let mediaType: String
    let data: String

    /// Nil when `url` is not a base64 data URL.
    init?(_ url: String) {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else { return nil }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else { return nil }
        mediaType = String(header.dropLast(";base64".count))
        data = String(url[url.index(after: comma)...])
    }
}
