import Mustache

/// An array of strings as a template sees it: one item after another in a section (`{{#tags}}{{.}}{{/tags}}`),
/// joined with `, ` where it is written as a variable (`{{tags}}`).
struct StringList: MustacheSequence, MustacheCustomRenderable {
    let items: [String]

    func makeIterator() -> IndexingIterator<[String]> { items.makeIterator() }

    var renderText: String { items.joined(separator: ", ") }

    var isNull: Bool { false }
}
