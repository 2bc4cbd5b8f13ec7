import Benchmark
import Foundation
import NIOCore
import SwitchyardCore
import SwitchyardGateway
import SwitchyardGuardrails
import SwitchyardTokenizer
import SwitchyardTranslation
import SwitchyardWire

/// The pieces every proxied request goes through, one operation each: time and allocations per operation.
/// Run with `swift package benchmark` in Benchmarks/.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(2), maxIterations: 1_000_000)

    let request = ByteBuffer(string: Samples.chatRequest)
    Benchmark("scan the top-level JSON of a 1 KB request and splice its model") { benchmark in
        for _ in benchmark.scaledIterations {
            let document = try TopLevelJSON(scanning: request)
            blackHole(document.replacingModel(with: "upstream-model-name"))
        }
    }

    let answer = ByteBuffer(string: Samples.chatCompletion)
    Benchmark("scan a chat answer for its usage and splice the public model") { benchmark in
        for _ in benchmark.scaledIterations {
            let document = try TopLevelJSON(scanning: answer)
            blackHole(document.member("usage"))
            blackHole(document.replacingModel(with: "public"))
        }
    }

    let stream = ByteBuffer(string: Samples.chunks.map { "data: \($0)\n\n" }.joined())
    Benchmark("decode a 10-event SSE stream") { benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = ServerSentEventDecoder()
            decoder.feed(stream)
            while let event = decoder.next() { blackHole(event) }
        }
    }

    let chunks = Samples.chunks.map { try! JSONValue(decoding: $0) }
    Benchmark("translate a 10-chunk stream OpenAI → Anthropic events") { benchmark in
        for _ in benchmark.scaledIterations {
            var translator = OpenAIToAnthropicStreamTranslator(model: "claude")
            for chunk in chunks { blackHole(translator.consume(chunk)) }
            blackHole(translator.finish())
        }
    }

    Benchmark("translate a 10-chunk stream Chat → Responses events") { benchmark in
        for _ in benchmark.scaledIterations {
            var translator = ChatToResponsesStreamTranslator(
                response: ResponseObject(id: "resp_1", createdAt: 0, model: "chat", status: "in_progress", request: [:]), makeID: { $0 + "_1" })
            blackHole(translator.start())
            for chunk in chunks { blackHole(translator.consume(chunk)) }
            blackHole(translator.finish(now: 0))
        }
    }

    let toolRequest = try! JSONValue(decoding: Samples.toolRequest)
    Benchmark("translate a request OpenAI → Anthropic (decode, translate, encode)") { benchmark in
        for _ in benchmark.scaledIterations {
            let decoded = try JSONValue(decoding: request)
            blackHole(try OpenAIRequestToAnthropic().translate(decoded, model: "claude").encoded)
        }
    }

    Benchmark("translate a request with tools OpenAI → Gemini (translate, encode)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try OpenAIRequestToGemini().translate(toolRequest).encoded)
        }
    }

    let ledger = LimitLedger()
    let grant = KeyGrant(
        key: VirtualKey(
            id: "key_1", name: "bench", prefix: "sk-sy-bench", digest: SecretDigest(of: "bench"), teamID: nil, models: nil,
            limits: UsageLimits(rpm: 1_000_000_000, tpm: 1_000_000_000_000), expiresAt: nil, metadata: [:], createdAt: Date()),
        team: nil)
    Benchmark("admit and release a request against a key's rpm and tpm limits") { benchmark in
        for _ in benchmark.scaledIterations {
            let permit = try ledger.admit(grant, estimatedTokens: 250)
            permit.release(actualTokens: 300)
        }
    }
    let chatRequest = ChatRequest(body: request, model: "chat", stream: false)
    Benchmark("cache key of a 1 KB chat request (normalise, canonical JSON, SHA-256)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CacheKey(chatRequest, caller: nil))
        }
    }

    let now = Date()
    var memory = CacheMemory(maxEntries: 20_000, maxBytes: 256 << 20)
    for index in 0..<10_000 {
        memory.insert(
            CacheEntry(
                scope: "team:t1", key: "key-\(index)", model: "chat", body: answer, createdAt: now, expiresAt: now.addingTimeInterval(3600)),
            scopeVersion: 1)
    }
    Benchmark("cache memory: find one entry among 10k") { benchmark in
        for iteration in benchmark.scaledIterations {
            blackHole(memory.slot(scope: "team:t1", key: "key-\(iteration % 10_000)"))
        }
    }

    /// Repeats `paragraph` until the text reaches about 10 KB of UTF-8.
    func tenKilobytes(of paragraph: String) -> String {
        var text = ""
        while text.utf8.count < 10_240 { text += paragraph }
        return text
    }

    let englishSample = tenKilobytes(of: """
        The gateway accepts a request, checks the caller's key against its rate limits, and forwards it to the \
        cheapest healthy upstream that serves the requested model. When the upstream answers, the response is \
        translated back into the caller's dialect, its usage is recorded, and the tokens it consumed are charged \
        to the key's budget. Nothing here is unusual; what matters is that it happens in well under a millisecond.

        """)
    let codeSample = tenKilobytes(of: """
        import Foundation

        /// Routes a request to the first healthy upstream.
        struct Router: Sendable {
        \tlet upstreams: [Upstream]

            func route(_ request: Request) throws -> Upstream {
                guard let upstream = upstreams.first(where: { $0.isHealthy && $0.serves(request.model) }) else {
                    throw RouterError.noUpstream(model: request.model)  // 503
                }
                return upstream
            }
        }
        let limits = ["rpm": 600, "tpm": 150_000, "burst": 20]

        """)
    let cjkSample = tenKilobytes(of: """
        网关接收请求，根据密钥检查速率限制，然后将请求转发给提供该模型的最便宜的健康上游服务。\
        ゲートウェイはリクエストを受け取り、キーのレート制限を確認してから、モデルを提供する上流サービスに転送します。\
        게이트웨이는 요청을 받아 키의 속도 제한을 확인한 다음 모델을 제공하는 업스트림으로 전달합니다。

        """)

    // Each iteration encodes about 10 KB: throughput × 10 KB is the rate in bytes a second.
    if let o200k = Tokenizer.o200k, let cl100k = Tokenizer.cl100k {
        Benchmark("tokenize English prose, o200k (MB/s)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(o200k.encode(englishSample)) }
        }
        Benchmark("tokenize Swift code, o200k (MB/s)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(o200k.encode(codeSample)) }
        }
        Benchmark("tokenize CJK text, o200k (MB/s)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(o200k.encode(cjkSample)) }
        }
        Benchmark("tokenize English prose, cl100k (MB/s)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(cl100k.count(englishSample)) }
        }
    }

    // Each iteration scans 16 KB of chat text with a few entities in it: µs per KB is the time ÷ 16.
    let guardedText = String(String(
        repeating: "Hi team, please send the Q3 report to ann.lee@example.com before Friday; call +44 20 7946 0958 if the "
            + "figures for order 88231 look off. The staging host is 10.20.30.40 and the card on file ends 4111 1111 1111 1111. ",
        count: 70
    ).prefix(16_384))
    let pii = PIIDetector()
    Benchmark("guardrails: PII and secret detectors over 16 KB of chat text") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(pii.detections(in: guardedText)) }
    }
    let words = WordListDetector(name: "codename", words: ["project nightingale", "blue harbor", "atlas"])
    Benchmark("guardrails: a three-phrase word list over 16 KB of chat text") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(words.detections(in: guardedText)) }
    }

    let injection = InjectionScorer()
    Benchmark("guardrails: prompt-injection score of 16 KB of chat text") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(injection.score(guardedText)) }
    }

    for count in [1_000, 10_000] {
        var generator = SeededGenerator(seed: 42)
        let candidates = (0..<count).compactMap { index -> SemanticIndex.Candidate? in
            let vector = (0..<1536).map { _ in Float.random(in: -1...1, using: &generator) }
            guard let unit = SemanticIndex.unit(vector) else { return nil }
            let entry = CacheEntry(
                scope: "team:t1", key: "key-\(index)", model: "chat", body: answer, vector: vector, createdAt: now,
                expiresAt: now.addingTimeInterval(3600))
            return SemanticIndex.Candidate(entry: entry, unit: unit)
        }
        let query = (0..<1536).map { _ in Float.random(in: -1...1, using: &generator) }
        let seconds = now.timeIntervalSince1970
        Benchmark("semantic lookup: nearest of \(count) entries (1536 dimensions, exact cosine)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(SemanticIndex.nearest(to: query, in: candidates, now: seconds))
            }
        }
    }
}

/// Representative payloads.
enum Samples {
    static let chatRequest = """
        {"model":"chat","messages":[{"role":"system","content":"You are a helpful assistant that answers briefly and precisely."},\
        {"role":"user","content":"Summarise the following paragraph in one sentence: The quick brown fox jumps over the lazy dog. \
        The dog, unimpressed, continues to sleep in the afternoon sun while the fox trots off into the woods looking for its \
        next adventure, perhaps a chicken coop or a patch of wild berries near the river bank where the water runs clear and cold."}],\
        "temperature":0.2,"max_tokens":256,"stream":false,"user":"bench-user-1234","metadata":{"ticket":"T-1234","team":"search"}}
        """

    static let chatCompletion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,\
        "message":{"role":"assistant","content":"A fox goes looking for adventure while a lazy dog keeps sleeping in the sun."},\
        "logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":96,"completion_tokens":18,"total_tokens":114},\
        "system_fingerprint":"fp_1"}
        """

    static let chunks: [String] = {
        let head = #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","#
        var chunks = [head + #""choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#]
        for word in ["A", " fox", " goes", " looking", " for", " adventure", "."] {
            chunks.append(head + #""choices":[{"index":0,"delta":{"content":"\#(word)"},"finish_reason":null}]}"#)
        }
        chunks.append(head + #""choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
        chunks.append(head + #""choices":[],"usage":{"prompt_tokens":96,"completion_tokens":8,"total_tokens":104}}"#)
        return chunks
    }()

    static let toolRequest = """
        {"model":"chat","messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,\
        "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},\
        {"role":"tool","tool_call_id":"call_1","content":"sunny, 21C"}],"tools":[{"type":"function","function":{"name":"get_weather",\
        "description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}
        """
}

/// A small deterministic generator (SplitMix64), so every run searches the same vectors.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
