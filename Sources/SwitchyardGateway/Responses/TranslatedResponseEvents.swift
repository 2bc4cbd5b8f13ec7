import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardTranslation
package import SwitchyardWire
import Tracing

/// Chat chunks from the pipeline, turned into Responses events as the reader asks for them (nothing runs ahead
/// of the reader). When the stream ends, `finished` gets the final response before its terminal event is read.
package struct TranslatedResponseEvents: AsyncSequence, Sendable {
    let upstream: ChatEventStream
    let translation: StreamedResponseTranslation
    /// Whether the opening events were already sent.
    var opened = false
    let finished: @Sendable (ResponseObject) async -> Void

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: ChatEventStream.AsyncIterator
        let translation: StreamedResponseTranslation
        let finished: @Sendable (ResponseObject) async -> Void
        var pending: [JSONValue] = []
        var started = false
        var ended = false

        /// The reader stops before the end: the chat stream under it is settled now.
        package mutating func abandon() {
            base.abandon()
        }

        package mutating func next() async -> JSONValue? {
            while pending.isEmpty {
                if ended { return nil }
                if !started {
                    started = true
                    pending = translation.translate { $0.start() }
                    continue
                }
                do {
                    if let event = try await base.next() {
                        if case .chunk(let data) = event, let chunk = try? JSONValue(decoding: data) {
                            pending = translation.translate { $0.consume(chunk) }
                        }
                    } else {
                        pending = translation.finish(now: Int(Date().timeIntervalSince1970))
                        ended = true
                        await finished(translation.response)
                    }
                } catch {
                    // Cancelled: the reader left (or the work was stopped).
                    if Task.isCancelled || error is CancellationError { return nil }
                    let failure = error as? GatewayError ?? GatewayError.upstreamUnavailable("The upstream stream failed: \(error)")
                    pending = translation.fail(failure, now: Int(Date().timeIntervalSince1970))
                    ended = true
                    await finished(translation.response)
                }
            }
            return pending.removeFirst()
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: upstream.makeAsyncIterator(), translation: translation, finished: finished, started: opened)
    }
}
