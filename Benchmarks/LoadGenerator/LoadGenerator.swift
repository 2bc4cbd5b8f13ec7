import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// An open-loop load generator: sends requests at a fixed rate whatever the server's pace, and measures each
/// request's latency from the moment it was due (not from when it was sent), so queueing shows in the figures.
@main
struct LoadGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard-loadgen", abstract: "Fixed-rate HTTP load with latency percentiles, as JSON.")

    @Option(help: "The URL to POST to.") var url: String
    @Option(help: "Requests per second.") var rate: Double
    @Option(help: "Seconds to send for.") var duration: Double = 10
    @Option(help: "A file with the request body.") var bodyFile: String
    @Option(name: .customLong("header"), help: "A header, 'name: value'; repeatable.") var headers: [String] = []
    @Option(help: "Connections to the server at most.") var connections: Int = 256
    @Flag(help: "Read the answer as a stream: time to first byte and to the end.") var stream = false

    struct Sample: Sendable {
        var total: Double
        var firstByte: Double
    }

    /// What the requests measured, shared by their tasks.
    final class Tally: Sendable {
        let samples = Mutex<[Sample]>([])
        let failures = Atomic<Int>(0)
    }

    func run() async throws {
        let body = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: bodyFile)))
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(body)
        request.headers.add(name: "content-type", value: "application/json")
        for header in headers {
            let parts = header.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--header must be 'name: value', got '\(header)'") }
            request.headers.add(name: String(parts[0]).trimmingCharacters(in: .whitespaces), value: String(parts[1]).trimmingCharacters(in: .whitespaces))
        }
        let tally = Tally()
        let total = Int(rate * duration)
        let interval = Duration.nanoseconds(Int64(1e9 / rate))
        let start = ContinuousClock.now + .milliseconds(100)
        let prepared = request
        await withDiscardingTaskGroup { group in
            for index in 0..<total {
                let due = start + interval * index
                try? await Task.sleep(until: due, clock: .continuous)
                group.addTask {
                    do {
                        let response = try await client.execute(prepared, timeout: .seconds(30))
                        var firstByte: ContinuousClock.Instant?
                        for try await _ in response.body where firstByte == nil { firstByte = .now }
                        let end = ContinuousClock.now
                        guard (200..<300).contains(response.status.code) else {
                            tally.failures.add(1, ordering: .relaxed)
                            return
                        }
                        let sample = Sample(total: (end - due).milliseconds, firstByte: ((firstByte ?? end) - due).milliseconds)
                        tally.samples.withLock { $0.append(sample) }
                    } catch {
                        tally.failures.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        try await client.shutdown()
        let taken = tally.samples.withLock { $0 }
        let report: [String: Any] = [
            "rate": rate, "sent": total, "completed": taken.count, "failed": tally.failures.load(ordering: .relaxed),
            "latency_ms": Self.percentiles(taken.map(\.total)),
            "first_byte_ms": Self.percentiles(taken.map(\.firstByte)),
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    static func percentiles(_ values: [Double]) -> [String: Double] {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return [:] }
        func at(_ quantile: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))] }
        return ["p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "p999": at(0.999), "max": sorted.last!]
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
