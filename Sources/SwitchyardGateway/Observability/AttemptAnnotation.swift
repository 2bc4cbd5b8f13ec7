import Logging
import NIOCore
import SwitchyardCore
import SwitchyardWire
import Tracing

/// What an answer tells about the attempt that produced it, for its client span (and the server span's finish
/// reasons): read only while tracing.
struct AttemptAnnotation {
    var responseModel: String?
    var finishReasons: [String]
    var tokens: TokenCounts?

    func apply(to span: any Span, journal: RequestJournal?) {
        if let responseModel { span.attributes["gen_ai.response.model"] = responseModel }
        if !finishReasons.isEmpty { span.attributes["gen_ai.response.finish_reasons"] = SpanAttribute.stringArray(finishReasons) }
        if let tokens {
            span.attributes["gen_ai.usage.input_tokens"] = tokens.prompt
            span.attributes["gen_ai.usage.output_tokens"] = tokens.completion
        }
        let finishReasons = self.finishReasons
        if !finishReasons.isEmpty { journal?.update { $0.finishReasons = finishReasons } }
    }
}
