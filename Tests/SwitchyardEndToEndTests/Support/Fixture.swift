import Foundation

/// Golden files under Fixtures/.
enum Fixture {
    static func text(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw MissingFixture(name: name)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    struct MissingFixture: Error {
        var name: String
    }

    /// The non-empty lines of a fixture (one JSON document per line).
    static func lines(_ name: String) throws -> [String] {
        try text(name).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
