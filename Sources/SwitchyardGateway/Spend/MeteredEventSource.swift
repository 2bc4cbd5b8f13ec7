import NIOCore
import SwitchyardCore
import SwitchyardWire
import Tracing

/// Relays a target's events under the public model name, reading the usage they report, and settles the request
/// through its ``StreamSettlement`` when the stream ends (and, through the settlement's `deinit`, when the client
/// leaves or the stream is dropped).
struct MeteredEventSource: ChatEventSource {
    var base: ChatEventStream.AsyncIterator
    let settlement: StreamSettlement
    let publicName: String
    /// Whether the usage chunk was asked for by the gateway rather than the client, and so is not passed on.
    let hidesUsage: Bool
    /// Whether the attempt is traced, and so what its answer tells is kept for its span.
    let tracing: Bool
    var annotation = AttemptAnnotation(responseModel: nil, finishReasons: [], tokens: nil)
    /// The tokens relayed, estimated per hub chunk and per Anthropic text delta.
    var chunkEstimate = RelayedTokenEstimate()
    var deltaEstimate = RelayedTokenEstimate()
    var relayedAny = false

    init(base: ChatEventStream.AsyncIterator, settlement: StreamSettlement, publicName: String, hidesUsage: Bool) {
        self.base = base
        self.settlement = settlement
        self.publicName = publicName
        self.hidesUsage = hidesUsage
        tracing = settlement.lease.span?.isRecording ?? false
    }

    mutating func next() async throws -> ChatStreamEvent? {
        while true {
            let event: ChatStreamEvent?
            do {
                event = try await base.next()
            } catch let error as GatewayError {
                annotateSpan()
                settlement.finish(.failed(error))
                throw error
            } catch {
                settlement.finish(.abandoned)
                throw error
            }
            switch event {
            case .chunk(let data):
                // One scan of the chunk serves the usage, the usage-only test and the model rewrite.
                guard let document = try? TopLevelJSON(scanning: data) else {
                    relay(tokens: chunkEstimate.tokens(inEventOf: data.readableBytes))
                    return .chunk(data)
                }
                if tracing { observe(document) }
                if let counts = UsageReader.counts(in: document, dialect: .openAI) {
                    settlement.reported(counts, replacing: true)
                    if UsageReader.isUsageOnlyChunk(document) {
                        if hidesUsage { continue }
                        return .chunk(document.replacingModel(with: publicName))
                    }
                }
                relay(tokens: chunkEstimate.tokens(inEventOf: data.readableBytes))
                return .chunk(document.replacingModel(with: publicName))
            case .done:
                return .done
            case .native(let native):
                relay(tokens: native.event == "content_block_delta" ? deltaEstimate.tokens(inEventOf: native.data.readableBytes) : 0)
                readNativeUsage(native)
                return .native(native)
            case nil:
                annotateSpan()
                settlement.finish(.completed)
                return nil
            }
        }
    }

    /// Counts an event on its way to the client; the first one's time is the time to first token.
    private mutating func relay(tokens: Int) {
        if !relayedAny {
            relayedAny = true
            settlement.firstTokenRelayed()
        }
        if tokens > 0 { settlement.relayed(tokens: tokens) }
    }

    /// Abandons the stream: its reader stopped reading (a failed write, say) and it is settled now, as 499.
    mutating func abandon() {
        settlement.finish(.abandoned)
    }

    /// Keeps a chunk's model and finish reasons for the attempt's span.
    private mutating func observe(_ chunk: TopLevelJSON) {
        if annotation.responseModel == nil, let model = chunk.member("model") { annotation.responseModel = chunk.string(model) }
        annotation.finishReasons += UsageReader.finishReasons(in: chunk, dialect: .openAI)
    }

    private func annotateSpan() {
        guard tracing, let span = settlement.lease.span else { return }
        var annotation = self.annotation
        annotation.tokens = settlement.tokens
        annotation.apply(to: span, journal: settlement.context.journal)
    }

    /// Anthropic's own events carry input tokens in `message_start` and output tokens in `message_delta`.
    private mutating func readNativeUsage(_ event: ServerSentEvent) {
        guard event.event == "message_start" || event.event == "message_delta", let payload = try? TopLevelJSON(scanning: event.data)
        else { return }
        let message = payload.member("message").flatMap(payload.object)
        if tracing {
            if let message, let model = message.member("model").flatMap(message.string) { annotation.responseModel = model }
            if let delta = payload.member("delta").flatMap(payload.object), let reason = delta.member("stop_reason").flatMap(delta.string) {
                annotation.finishReasons.append(reason)
            }
        }
        if let counts = message.flatMap({ UsageReader.counts(in: $0, dialect: .anthropic) }) ?? UsageReader.counts(in: payload, dialect: .anthropic) {
            settlement.reported(counts, replacing: false)
        }
    }
}
