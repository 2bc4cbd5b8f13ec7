import SwitchyardCore
import SwitchyardWire

/// A hub message's `content` (a string, or an array of text and image parts) walked part by part, for dialects
/// that carry content as a list of blocks of their own.
struct HubContentParts {
    /// One part, as the target dialect needs to know it.
    enum Part {
        case text(JSONValue)
        /// An `image_url` part: its URL (a web address or a base64 data URL).
        case image(url: String)
    }

    /// The provider type named in errors (`gemini`, `bedrock`).
    let provider: String

    /// Each part of `content` turned into a block by `block`; empty text and absent content give no blocks.
    /// - Throws: 400 naming the part (`param[index].type`) for a part type other than text and images.
    func blocks(
        _ content: JSONValue?, param: String, _ block: (Part, _ param: String) throws(GatewayError) -> JSONValue
    ) throws(GatewayError) -> [JSONValue] {
        switch content {
        case .string(let text)?:
            return text.isEmpty ? [] : [try block(.text(.string(text)), param)]
        case .array(let parts)?:
            var output: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                switch part["type"]?.string {
                case "text": output.append(try block(.text(part["text"] ?? ""), "\(param)[\(index)].text"))
                case "image_url":
                    output.append(try block(.image(url: part["image_url"]?["url"]?.string ?? ""), "\(param)[\(index)].image_url.url"))
                default:
                    let type = part["type"]?.string ?? "?"
                    throw .badRequest("Content part type '\(type)' cannot be sent to provider type \(provider).", param: "\(param)[\(index)].type")
                }
            }
            return output
        default:
            return []
        }
    }
}
