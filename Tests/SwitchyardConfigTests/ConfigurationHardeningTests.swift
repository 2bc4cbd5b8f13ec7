import Foundation
import SwitchyardConfig
import Testing

@Suite("Configuration files that would hold the process or empty it")
struct ConfigurationHardeningTests {
    static func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: yaml)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("an empty file, or one that is only a comment or null, is refused", arguments: ["", "   \n", "# nothing yet\n", "~", "null"])
    func empty(yaml: String) {
        #expect(Self.problems(yaml) == ["the file is empty: it configures nothing"])
    }

    @Test("aliases that expand to billions of values are refused at once, wherever they are")
    func aliasBomb() {
        var lines = ["l0: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for level in 1...9 {
            let name = String(UnicodeScalar(UInt8(97 + level)))
            lines.append("l\(level): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
            previous = name
        }
        let yaml = """
            models:
              - name: chat
                targets: [{provider: up, model: m}]
            prompts:
              - name: p
                model: chat
                template: hi
                response_format:
                  type: json_schema
                  json_schema:
                    name: x
            \(lines.map { "        " + $0 }.joined(separator: "\n"))
            """
        let start = ContinuousClock.now
        let found = Self.problems(yaml)
        #expect(found == ["the file holds more than 1000000 values once its YAML aliases are expanded"], "\(found)")
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test("an alias used as a key is refused before parsing (the parser would expand it to compare keys)", arguments: [
        ("a: &a [x, x]\n*a : 1\n", 2), ("a: &a [x]\nb: {*a: 1}\n", 2), ("a: &a [x]\nb:\n  - ? *a\n    : 1\n", 3), ("a: &a [x]\nc: {k: 1, *a: 2}\n", 2),
    ])
    func aliasAsKey(yaml: String, line: Int) {
        #expect(Self.problems(yaml) == ["line \(line): a YAML alias (*name) cannot be a key"])
    }

    @Test("aliases as values, and stars in text, are left alone")
    func aliasesAsValues() {
        let yaml = """
            providers:
              - &up {name: up, type: openai, base_url: "http://127.0.0.1:9/v1"}
            models:
              - name: chat
                targets: [{provider: up, model: m}]
            prompts:
              - name: p
                model: chat
                template: |
                  *Note*: be brief.
                  * item: one
                  Say *hi*, please.
            """
        #expect(Self.problems(yaml).allSatisfy { !$0.contains("alias") }, "\(Self.problems(yaml))")
    }

    @Test("a large real file (20,000 models) is well under the bound")
    func largeFileFits() {
        let models = (0..<20_000).map { "  - {name: m\($0), targets: [{provider: up, model: m, price: {input: 1, output: 1}}]}" }
        let yaml = "providers:\n  - {name: up, type: openai, base_url: \"http://127.0.0.1:9/v1\"}\nmodels:\n" + models.joined(separator: "\n")
        #expect(Self.problems(yaml).isEmpty)
    }
}
