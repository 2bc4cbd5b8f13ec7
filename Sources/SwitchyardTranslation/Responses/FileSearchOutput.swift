package import SwitchyardWire

/// The Responses output of a `file_search` the gateway ran for a turn: the `file_search_call` item that reports it
/// (its `results` when the request asked to include them), the events that stream it, and the `file_citation`
/// annotations that credit the files whose chunks the model was given.
package enum FileSearchOutput {
    /// A completed search's item; `results` nil leaves them out (`"results": null`, as OpenAI does unless
    /// `include` asks for `file_search_call.results`).
    package static func callItem(id: String, queries: [String], results: [JSONValue]?, status: String = "completed") -> JSONValue {
        [
            "id": .string(id), "type": "file_search_call", "status": .string(status), "queries": .array(queries.map(JSONValue.string)),
            "results": results.map(JSONValue.array) ?? .null,
        ]
    }

    /// The events of a search finished before the answer began: the item added as in progress, searching,
    /// completed, and done.
    package static func events(for item: JSONValue, outputIndex: Int) -> [JSONValue] {
        let index = JSONValue.integer(Int64(outputIndex))
        let id = item["id"] ?? ""
        var opening = item.object ?? [:]
        opening["status"] = "in_progress"
        opening["results"] = .null
        return [
            ["type": "response.output_item.added", "output_index": index, "item": .object(opening)],
            ["type": "response.file_search_call.in_progress", "output_index": index, "item_id": id],
            ["type": "response.file_search_call.searching", "output_index": index, "item_id": id],
            ["type": "response.file_search_call.completed", "output_index": index, "item_id": id],
            ["type": "response.output_item.done", "output_index": index, "item": item],
        ]
    }

    /// A `file_citation` for each of `files` (id and name, each once, in order), placed at `index` (the end of the
    /// text they support).
    package static func citations(of files: [(id: String, filename: String)], at index: Int) -> [JSONValue] {
        var seen: Set<String> = []
        return files.compactMap { file in
            guard seen.insert(file.id).inserted else { return nil }
            return ["type": "file_citation", "index": .integer(Int64(index)), "file_id": .string(file.id), "filename": .string(file.filename)]
        }
    }

    /// Adds citations of `files` to every `output_text` part of the message items in `output`, each at the end of
    /// its part's text.
    package static func cite(_ files: [(id: String, filename: String)], in output: inout [JSONValue]) {
        guard !files.isEmpty else { return }
        for position in output.indices where output[position]["type"]?.string == "message" {
            guard case .object(var item) = output[position], case .array(var parts)? = item["content"] else { continue }
            for part in parts.indices where parts[part]["type"]?.string == "output_text" {
                guard case .object(var fields) = parts[part] else { continue }
                let text = fields["text"]?.string ?? ""
                fields["annotations"] = .array((fields["annotations"]?.array ?? []) + citations(of: files, at: text.unicodeScalars.count))
                parts[part] = .object(fields)
            }
            item["content"] = .array(parts)
            output[position] = .object(item)
        }
    }
}
