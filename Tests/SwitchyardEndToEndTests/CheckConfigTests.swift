import Foundation
import Testing

/// `switchyard check-config`, run as the real executable: what it prints and how it exits.
@Suite("switchyard check-config")
struct CheckConfigTests {
    /// What a finished run left behind.
    struct Outcome: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The `switchyard` executable of this build: `swift build --build-tests` and `swift test` put it in the build
    /// products directory, beside this test target's resources, and only there is it looked for (a stale binary
    /// elsewhere would test old behaviour).
    static func executable() throws -> URL {
        let candidate = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("switchyard")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isExecutableFile(atPath: candidate.path)
        else { throw MissingExecutable(looked: [candidate.path]) }
        return candidate
    }

    struct MissingExecutable: Error, CustomStringConvertible {
        var looked: [String]

        var description: String {
            "The switchyard executable was not found in the build products directory; build it first "
                + "(`swift build --build-tests`, or `swift test`, which builds every product). Looked at: "
                + looked.joined(separator: ", ")
        }
    }

    /// Runs `switchyard ARGUMENTS` in a fresh temporary directory, with this process's environment minus every
    /// `SWITCHYARD_` variable, plus `environment`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        let executable = try executable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-check-config-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Files rather than pipes: nothing blocks however much the command prints.
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let outputFile = try FileHandle(forWritingTo: outputURL)
        let errorFile = try FileHandle(forWritingTo: errorURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWITCHYARD_") }
        inherited.merge(environment) { $1 }
        process.environment = inherited
        process.currentDirectoryURL = directory
        process.standardOutput = outputFile
        process.standardError = errorFile
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try outputFile.close()
        try errorFile.close()
        return Outcome(
            status: status, standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
            standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }

    /// Runs `body` with the absolute path of a temporary file holding `yaml`, removed afterwards.
    static func withConfiguration<T>(_ yaml: String, _ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-check-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("switchyard.yaml")
        try Data(yaml.utf8).write(to: file)
        return try await body(file.path)
    }

    static let valid = """
        providers:
          - name: openai
            type: openai
            api_key: sk-test-key
          - name: local
            type: openai
            base_url: http://127.0.0.1:8000/v1
        models:
          - name: chat
            targets:
              - provider: openai
                model: gpt-4o-mini
                price: {input: 0.15, output: 0.6}
          - name: llama
            targets:
              - provider: local
                model: meta-llama/Llama-3.1-8B-Instruct
                price: {input: 0, output: 0}
          - name: any
            strategy: round-robin
            targets:
              - provider: openai
                model: gpt-4o-mini
                price: {input: 0.15, output: 0.6}
              - provider: local
                model: meta-llama/Llama-3.1-8B-Instruct
                price: {input: 0, output: 0}
        """

    @Test("a valid file: 'PATH: OK (N providers, M models)' on standard output, nothing else, exit 0")
    func valid() async throws {
        try await Self.withConfiguration(Self.valid) { path in
            let outcome = try await Self.run(["check-config", "--config", path])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "\(path): OK (2 providers, 3 models)\n")
            #expect(outcome.standardError.isEmpty, "\(outcome.standardError)")
        }
    }

    @Test("the file may come from SWITCHYARD_CONFIG instead of --config")
    func fromEnvironment() async throws {
        try await Self.withConfiguration(Self.valid) { path in
            let outcome = try await Self.run(["check-config"], environment: ["SWITCHYARD_CONFIG": path])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "\(path): OK (2 providers, 3 models)\n")
        }
    }

    @Test("warnings are printed with their key paths and counted, and still exit 0")
    func warnings() async throws {
        let yaml = Self.valid
            .replacingOccurrences(of: "api_key: sk-test-key", with: "api_key: ${SWITCHYARD_TEST_UNSET_KEY}")
            .replacingOccurrences(of: "model: meta-llama/Llama-3.1-8B-Instruct\n        price: {input: 0, output: 0}\n  - name: any", with: "model: meta-llama/Llama-3.1-8B-Instruct\n  - name: any")
        #expect(yaml.contains("${SWITCHYARD_TEST_UNSET_KEY}") && yaml.components(separatedBy: "price:").count == 4, "\(yaml)")
        try await Self.withConfiguration(yaml) { path in
            let outcome = try await Self.run(["check-config", "--config", path])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "\(path): OK (2 providers, 3 models, 2 warnings)\n")
            let lines = outcome.standardError.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(outcome.standardError)")
            #expect(lines.contains { $0.hasPrefix("warning: providers[0].api_key: ") && $0.contains("SWITCHYARD_TEST_UNSET_KEY") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("warning: models[1].targets[0]: ") && $0.contains("price") }, "\(lines)")
        }
    }

    @Test("a file with errors: each problem with its key path, a count, nothing on standard output, exit 1")
    func errors() async throws {
        let yaml = """
            providers:
              - name: openai
                type: openai
                bogus: 1
            models:
              - name: chat
                targets:
                  - provider: opena1
                    model: gpt-4o-mini
                    price: {input: 1, output: 2}
            """
        try await Self.withConfiguration(yaml) { path in
            let outcome = try await Self.run(["check-config", "--config", path])
            #expect(outcome.status == 1)
            #expect(outcome.standardOutput.isEmpty, "\(outcome.standardOutput)")
            let lines = outcome.standardError.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(outcome.standardError)")
            #expect(lines.contains { $0.hasPrefix("error: providers[0].bogus: unknown key") }, "\(lines)")
            #expect(lines.contains(#"error: models[0].targets[0].provider: no provider named "opena1""#), "\(lines)")
            #expect(lines.last == "\(path): 2 problems found")
        }
    }

    @Test("a file that is not YAML is one problem, exit 1")
    func notYAML() async throws {
        try await Self.withConfiguration("providers: [\n  - {name: x\n") { path in
            let outcome = try await Self.run(["check-config", "--config", path])
            #expect(outcome.status == 1)
            #expect(outcome.standardOutput.isEmpty)
            #expect(outcome.standardError.hasPrefix("error: not valid YAML"), "\(outcome.standardError)")
            #expect(outcome.standardError.hasSuffix("\(path): 1 problem found\n"), "\(outcome.standardError)")
        }
    }

    @Test("a missing file, or no file named at all, is an error message and exit 1")
    func noFile() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-no-such-\(UUID().uuidString).yaml").path
        let unreadable = try await Self.run(["check-config", "--config", missing])
        #expect(unreadable.status == 1)
        #expect(unreadable.standardOutput.isEmpty)
        #expect(unreadable.standardError.hasPrefix("error: cannot read \(missing): "), "\(unreadable.standardError)")

        let unnamed = try await Self.run(["check-config"])
        #expect(unnamed.status == 1)
        #expect(unnamed.standardOutput.isEmpty)
        #expect(unnamed.standardError.contains("no configuration file: pass --config FILE or set SWITCHYARD_CONFIG"), "\(unnamed.standardError)")
    }

    @Test("a ca_file whose blocks look like certificates but are not is refused with its key path, exit 1")
    func unusableCertificates() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A DER sequence, so the reader's shape check passes, but no certificate: TLS cannot use it.
        let bundle = directory.appendingPathComponent("ca.pem")
        try Data("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n".utf8).write(to: bundle)
        let yaml = Self.valid.replacingOccurrences(
            of: "    base_url: http://127.0.0.1:8000/v1", with: "    base_url: https://127.0.0.1:8443/v1\n    ca_file: \(bundle.path)")
        #expect(yaml.contains("ca_file"), "\(yaml)")
        try await Self.withConfiguration(yaml) { path in
            let outcome = try await Self.run(["check-config", "--config", path])
            #expect(outcome.status == 1)
            #expect(outcome.standardOutput.isEmpty)
            #expect(outcome.standardError.contains("error: providers[1].ca_file: TLS cannot use its certificates"), "\(outcome.standardError)")
        }
    }
}
