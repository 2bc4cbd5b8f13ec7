import Foundation
import SwitchyardTesting
import Testing

/// The admin web UI driven in headless Chromium (Tests/ui/ui_test.py, with selenium and Debian's chromium and
/// chromium-driver, which `.ci/run` installs): sign in, create a key, see its requests in the log explorer and their
/// detail, see the dashboard's charts drawn, CSRF refusals, sign out. Screenshots are kept in
/// `.build/ui-screenshots`.
@Suite("Admin UI in a browser", .enabled(if: BrowserUITests.browserAvailable))
struct BrowserUITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var browserAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
            && (try? run(["python3", "-c", "import selenium"]).status) == 0
    }

    /// Runs `arguments` (found on the PATH) to its end; its status and what it wrote.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SE_OFFLINE"] = "true"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("sign in, create a key, find its requests in the log explorer, see the charts drawn, CSRF refused, sign out")
    func browser() async throws {
        let upstream = UpstreamDouble { _ in .json(OpenAIWireSamples.chatCompletion(model: "up-model", content: "Hello from the double.")) }
        try await upstream.run { base in
            try await GatewayHarness.withGateway(yaml: GatewayHarness.singleModel + "\nlogging: {request_log: true}\n", upstream: base) { gateway in
                let screenshots = Self.repository.appendingPathComponent(".build/ui-screenshots").path
                let script = Self.repository.appendingPathComponent("Tests/ui/ui_test.py").path
                let arguments = ["python3", script, "--gateway", gateway.baseURL, "--master-key", GatewayHarness.masterKey, "--screenshots", screenshots]
                // The browser runs as a child process; waiting for it is moved off the test's executor.
                let result = try await Task.detached { try Self.run(arguments) }.value
                #expect(result.status == 0, "\(result.output)")
                #expect(FileManager.default.fileExists(atPath: screenshots + "/dashboard.png"))
            }
        }
    }
}
