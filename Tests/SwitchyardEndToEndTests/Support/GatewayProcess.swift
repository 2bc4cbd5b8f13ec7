import Foundation
import Synchronization
import Testing

/// A `switchyard serve` process of the built executable, on a port of its own choosing, for tests of what only
/// separate processes show: signals, a replica killed outright, replicas sharing PostgreSQL.
final class GatewayProcess: Sendable {
    let port: Int
    let configurationPath: String
    private let process: Process
    private let outputPath: String

    var client: GatewayClient { GatewayClient(port: port) }

    private init(process: Process, port: Int, configurationPath: String, outputPath: String) {
        self.process = process
        self.port = port
        self.configurationPath = configurationPath
        self.outputPath = outputPath
    }

    struct StartFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "switchyard did not start listening within 30 s. Its output:\n\(output)" }
    }

    /// Starts `switchyard serve --config configurationPath --port 0` and waits until it listens.
    static func start(configurationPath: String) async throws -> GatewayProcess {
        let directory = URL(fileURLWithPath: configurationPath).deletingLastPathComponent()
        let outputURL = directory.appendingPathComponent("output-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = try CheckConfigTests.executable()
        process.arguments = ["serve", "--config", configurationPath, "--port", "0"]
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/), let port = Int(match.1) {
                return GatewayProcess(process: process, port: port, configurationPath: configurationPath, outputPath: outputURL.path)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw StartFailure(output: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "")
    }

    /// What the process printed so far (standard output and standard error).
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGHUP, SIGTERM, SIGKILL ...).
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it to exit.
    func stop() async {
        guard process.isRunning else { return }
        send(SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { send(SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for the process to exit; its termination status.
    func waitForExit() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return process.terminationStatus
    }
}

/// Replicas of one configuration; `next` hands them out in turn, as a load balancer would.
final class ReplicaSet: Sendable {
    let replicas: [GatewayProcess]
    private let turn = Mutex(0)

    init(_ replicas: [GatewayProcess]) {
        self.replicas = replicas
    }

    var next: GatewayClient {
        let index = turn.withLock { turn in
            defer { turn = (turn + 1) % replicas.count }
            return turn
        }
        return replicas[index].client
    }

    /// Starts `count` replicas of the configuration at `path`, runs `body`, and stops them however it ends.
    static func with<T>(count: Int, configurationPath path: String, _ body: (ReplicaSet) async throws -> T) async throws -> T {
        var started: [GatewayProcess] = []
        do {
            for _ in 0..<count { started.append(try await GatewayProcess.start(configurationPath: path)) }
            let result = try await body(ReplicaSet(started))
            for replica in started { await replica.stop() }
            return result
        } catch {
            for replica in started { await replica.stop() }
            throw error
        }
    }
}
