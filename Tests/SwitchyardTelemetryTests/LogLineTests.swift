import Foundation
import Logging
import SwitchyardCore
import SwitchyardGateway
import Tracing
import Testing

@testable import SwitchyardTelemetry

/// A log writer into a pipe, read back line by line.
final class PipeCapture: Sendable {
    let writer: LogLineWriter
    private let readEnd: Int32

    init() {
        var descriptors: [Int32] = [0, 0]
        pipe(&descriptors)
        readEnd = descriptors[0]
        writer = LogLineWriter(descriptor: descriptors[1])
    }

    /// The lines written so far, as JSON objects.
    func lines() -> [[String: Any]] {
        writer.flush()
        var flags = fcntl(readEnd, F_GETFL)
        flags |= O_NONBLOCK
        _ = fcntl(readEnd, F_SETFL, flags)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? ["unparsed": String(line)]
        }
    }
}

@Suite("Structured logs")
struct LogLineTests {
    @Test("JSON lines: time, level, label, message, metadata as typed fields, escaped")
    func jsonLines() throws {
        let capture = PipeCapture()
        var logger = Logger(label: "switchyard") { LineLogHandler(label: $0, level: .info, format: .json, writer: capture.writer) }
        logger[metadataKey: "replica"] = "a"
        logger.debug("hidden")
        logger.info("said \"hi\"\n", metadata: ["count": .stringConvertible(3), "ratio": .stringConvertible(0.5), "ok": .stringConvertible(true)])
        let lines = capture.lines()
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line["level"] as? String == "info")
        #expect(line["label"] as? String == "switchyard")
        #expect(line["message"] as? String == "said \"hi\"\n")
        #expect(line["replica"] as? String == "a")
        #expect(line["count"] as? Int == 3)
        #expect(line["ratio"] as? Double == 0.5)
        #expect(line["ok"] as? Bool == true)
        let time = try #require(line["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))
        #expect(ISO8601Input.date(time) != nil)
    }

    @Test(
        "a request line carries who, what, where, how it ended and what it cost; never a key",
        arguments: ["written by the handler", "through swift-log"])
    func requestLine(_ path: String) throws {
        let capture = PipeCapture()
        let logger = Logger(label: "switchyard") { LineLogHandler(label: $0, level: .info, format: .json, writer: capture.writer) }
        let direct = LineLogHandler.lineSink(for: logger)
        #expect(!(direct is LoggerLineSink))
        let observer = RequestObserver(requestLines: path == "through swift-log" ? LoggerLineSink(logger) : direct)
        let journal = observer.begin(requestID: "req_1", method: "POST", path: "/v1/chat/completions", parent: .topLevel)
        journal.update { summary in
            summary.keyID = "key_1"
            summary.teamID = "team_1"
            summary.model = "chat"
            summary.target = Target(provider: "up", model: "gpt")
            summary.attempts = 2
            summary.promptTokens = 19
            summary.completionTokens = 10
            summary.costUSD = 0.25
            summary.errorMessage = "upstream said: Incorrect API key provided: sk-abcdefghijklmnop"
        }
        journal.finish(status: 502)
        journal.finish(status: 200)  // only the first finish counts
        let lines = capture.lines()
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line["message"] as? String == "request")
        #expect(line["request_id"] as? String == "req_1")
        #expect(line["status"] as? Int == 502)
        #expect(line["key_id"] as? String == "key_1")
        #expect(line["team_id"] as? String == "team_1")
        #expect(line["model"] as? String == "chat")
        #expect(line["target"] as? String == "up/gpt")
        #expect(line["attempts"] as? Int == 2)
        #expect(line["prompt_tokens"] as? Int == 19)
        #expect(line["cost_usd"] as? Double == 0.25)
        #expect(line["latency_ms"] is Double)
        #expect((line["error"] as? String)?.contains("sk-abcdefgh") == false)
        #expect(line["completion_tokens"] as? Int == 10 && line["path"] as? String == "/v1/chat/completions")
    }

    @Test("request lines follow the level: none above info")
    func requestLinesFollowLevel() {
        let capture = PipeCapture()
        let logger = Logger(label: "switchyard") { LineLogHandler(label: $0, level: .warning, format: .json, writer: capture.writer) }
        let observer = RequestObserver(requestLines: LineLogHandler.lineSink(for: logger))
        observer.begin(requestID: "req_1", method: "GET", path: "/v1/models", parent: .topLevel).finish(status: 200)
        #expect(capture.lines().isEmpty)
    }

    @Test("text lines for terminals")
    func textLines() {
        let capture = PipeCapture()
        let logger = Logger(label: "switchyard") { LineLogHandler(label: $0, level: .info, format: .text, writer: capture.writer) }
        logger.warning("careful", metadata: ["target": "up/gpt", "model": "x\n2026-01-01T00:00:00.000Z error forged"])
        let lines = capture.lines()
        #expect(lines.count == 1, "a value cannot start a line of its own")
        let text = lines.first?["unparsed"] as? String ?? ""
        #expect(text.contains(" warning switchyard: careful model=x\\n2026"))
        #expect(text.contains(" target=up/gpt"))
    }
}
