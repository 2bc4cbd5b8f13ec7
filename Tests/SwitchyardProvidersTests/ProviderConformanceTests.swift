import Foundation
import HTTPTypes
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import SwitchyardWire
import Testing

/// The one suite every provider type passes, through the `Provider` protocol only, against a loopback upstream that
/// speaks that provider's own wire format: chat, streams, tools, errors, usage, embeddings (or their refusal) and
/// the model list (or its refusal). What differs per type is its ``ConformanceProfile``; what is checked is not.
@Suite("Provider conformance")
struct ProviderConformanceTests {
    @Test("chat answers in the hub dialect with the text, the finish reason and the usage", arguments: ProviderKind.allCases)
    func chat(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.chatReply }
        try await profile.withProvider(upstream) { provider in
            let reply = try await provider.chat(ConformanceRequests.chat(), model: profile.chatModel, context: ConformanceRequests.context())
            #expect(reply.dialect == .openAI)
            let answer = try ChatAnswer.read(reply)
            #expect(answer.isWellFormed)
            #expect(answer.text == Conversation.text)
            #expect(answer.finishReason == "stop")
            #expect(answer.toolCalls.isEmpty)
            #expect(answer.usage == profile.chatUsage)
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.chat, bodyModel: profile.bodyModel)
        profile.expectStreamFlag(sent, streaming: false)
    }

    @Test("a request that also carries the client's Anthropic body is answered in the dialect the reply names", arguments: ProviderKind.allCases)
    func chatWithNativeBody(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.chatReply }
        var dialect = WireDialect.openAI
        try await profile.withProvider(upstream) { provider in
            let reply = try await provider.chat(
                ConformanceRequests.nativeAnthropic(stream: false), model: profile.chatModel, context: ConformanceRequests.context())
            dialect = reply.dialect
            let answer = try ChatAnswer.read(reply)
            #expect(answer.isWellFormed)
            #expect(answer.text == Conversation.text)
            #expect(answer.finishReason == "stop")
            #expect(answer.usage == profile.chatUsage)
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.chat, bodyModel: profile.bodyModel)
        // An upstream that speaks the client's dialect gets the client's own body (its max_tokens, not the default).
        #expect(sent?.text.contains(#""max_tokens":256"#) == (dialect == .anthropic))
    }

    @Test("a stream carries the text, one finish reason and the usage asked for, then [DONE]", arguments: ProviderKind.allCases)
    func stream(kind: ProviderKind) async throws {
        #expect(kind.capabilities.streaming)
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.streamReply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            let transcript = try await StreamTranscript.read(stream)
            #expect(transcript.malformedChunks == 0)
            #expect(transcript.text == Conversation.text)
            #expect(transcript.finishReasons == ["stop"])
            #expect(transcript.usage == profile.streamUsage)
            #expect(transcript.usageIsLastChunk, "the usage chunk comes last, just before [DONE]")
            #expect(transcript.endedWithDone)
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.stream, bodyModel: profile.bodyModel)
        profile.expectStreamFlag(sent, streaming: true)
    }

    @Test("a stream for a client that spoke Anthropic ends in the dialect of its events", arguments: ProviderKind.allCases)
    func streamWithNativeBody(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.streamReply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.nativeAnthropic(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            let transcript = try await StreamTranscript.read(stream)
            #expect(transcript.malformedChunks == 0)
            #expect(transcript.text == Conversation.text)
            #expect(transcript.finishReasons == ["stop"])
            #expect(transcript.usage == profile.streamUsage)
            #expect(transcript.endedCleanly)
        }
        profile.expectRequest(upstream.requests.only, at: profile.stream, bodyModel: profile.bodyModel)
        profile.expectStreamFlag(upstream.requests.only, streaming: true)
    }

    @Test("a tool call comes back with its exact id, name and arguments", arguments: ProviderKind.allCases)
    func toolCall(kind: ProviderKind) async throws {
        #expect(kind.capabilities.tools)
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.toolChatReply }
        try await profile.withProvider(upstream) { provider in
            let reply = try await provider.chat(ConformanceRequests.chat(tools: true), model: profile.chatModel, context: ConformanceRequests.context())
            let answer = try ChatAnswer.read(reply)
            #expect(answer.isWellFormed)
            #expect(answer.finishReason == "tool_calls")
            let call = try #require(answer.toolCalls.only)
            #expect(call.type == "function")
            #expect(call.id == profile.toolCallID)
            #expect(call.name == Conversation.toolName)
            #expect(call.argumentsJSON == Conversation.argumentsJSON, "arguments: \(call.arguments)")
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: profile.chat, bodyModel: profile.bodyModel)
        #expect(sent?.text.contains(Conversation.toolName) == true, "the tool definition reaches the upstream")
    }

    @Test("a streamed tool call arrives whole across its chunks", arguments: ProviderKind.allCases)
    func streamedToolCall(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.toolStreamReply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true, tools: true), model: profile.chatModel, context: ConformanceRequests.context())
            let transcript = try await StreamTranscript.read(stream)
            #expect(transcript.malformedChunks == 0)
            #expect(transcript.finishReasons == ["tool_calls"])
            let call = try #require(transcript.orderedToolCalls.only)
            #expect(call.type == "function")
            #expect(call.id == profile.toolCallID)
            #expect(call.name == Conversation.toolName)
            #expect(call.argumentsJSON == Conversation.argumentsJSON, "arguments: \(call.arguments)")
            #expect(transcript.endedWithDone)
        }
        profile.expectRequest(upstream.requests.only, at: profile.stream, bodyModel: profile.bodyModel)
    }

    @Test("an upstream error status becomes a GatewayError with that status and message", arguments: ProviderKind.allCases, [429, 400])
    func upstreamError(kind: ProviderKind, status: Int) async throws {
        let profile = ConformanceProfile.of(kind)
        let failure = status == 429 ? profile.rateLimited : profile.invalidRequest
        let upstream = UpstreamDouble { _ in failure.reply }
        try await profile.withProvider(upstream) { provider in
            let chatError = await gatewayError {
                _ = try await provider.chat(ConformanceRequests.chat(), model: profile.chatModel, context: ConformanceRequests.context())
            }
            // A stream refused before it starts is refused by `streamChat` itself, not by its first event.
            let streamError = await gatewayError {
                _ = try await provider.streamChat(ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            }
            for error in [chatError, streamError] {
                #expect(error?.status == status)
                #expect(error?.kind == GatewayError.kind(forStatus: status))
                #expect(error?.message.contains(failure.message) == true, "\(String(describing: error))")
                if status == 429, let seconds = profile.retryAfterSeconds { #expect(error?.retryAfterSeconds == seconds) }
            }
        }
        #expect(upstream.requests.count == 2)
        for request in upstream.requests { profile.expectAuthentication(request) }
    }

    @Test("an error event part-way through a stream is thrown as a GatewayError", arguments: ProviderKind.allCases)
    func midStreamError(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.midStreamError.reply }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            var transcript = StreamTranscript()
            let error = await gatewayError { for try await event in stream { try transcript.consume(event) } }
            #expect(error?.message.contains(profile.midStreamError.message) == true, "\(String(describing: error))")
            #expect((400...599).contains(error?.status ?? 0))
            #expect(!transcript.events.contains(.done))
        }
    }

    @Test("a stream cut off part-way is thrown as a GatewayError, never ended as if complete", arguments: ProviderKind.allCases)
    func streamCut(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.streamCut }
        try await profile.withProvider(upstream) { provider in
            let stream = try await provider.streamChat(
                ConformanceRequests.chat(stream: true), model: profile.chatModel, context: ConformanceRequests.context())
            var transcript = StreamTranscript()
            let error = await gatewayError { for try await event in stream { try transcript.consume(event) } }
            #expect((400...599).contains(error?.status ?? 0))
            #expect(!transcript.events.contains(.done))
        }
    }

    @Test("embeddings are answered in OpenAI's shape, or refused as unsupported without an upstream request", arguments: ProviderKind.allCases)
    func embeddings(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        #expect((profile.embeddings != nil) == kind.capabilities.embeddings, "the profile follows the published capabilities")
        let upstream = UpstreamDouble { _ in profile.embeddings?.reply ?? .json(status: 500, OpenAIWireSamples.error("unexpected", type: "server_error", code: nil)) }
        try await profile.withProvider(upstream) { provider in
            guard let expected = profile.embeddings else {
                let error = await gatewayError {
                    _ = try await provider.embed(ConformanceRequests.embedding(), model: "any-embedding-model", context: ConformanceRequests.context())
                }
                expectUnsupported(error)
                return
            }
            let reply = try await provider.embed(ConformanceRequests.embedding(), model: expected.model, context: ConformanceRequests.context())
            #expect(reply.dialect == .openAI)
            let list = try JSONValue(decoding: reply.body)
            #expect(list["object"]?.string == "list")
            let data = list["data"]?.array ?? []
            #expect(data.count == Conversation.embeddingInputs.count)
            for (index, item) in data.enumerated() {
                #expect(item["object"]?.string == "embedding")
                #expect(item["index"]?.int == index)
                let vector = item["embedding"]?.array ?? []
                #expect(!vector.isEmpty && vector.allSatisfy(\.isNumber))
            }
            #expect(list["usage"]?["prompt_tokens"]?.int != nil)
        }
        guard let expected = profile.embeddings else {
            #expect(upstream.requests.isEmpty)
            return
        }
        let sent = upstream.requests.only
        profile.expectRequest(sent, at: expected.endpoint, bodyModel: nil)
        #expect(Conversation.embeddingInputs.allSatisfy { sent?.text.contains($0) == true }, "every input reaches the upstream")
    }

    @Test("the model list is read from the upstream, or refused as unsupported without an upstream request", arguments: ProviderKind.allCases)
    func modelList(kind: ProviderKind) async throws {
        let profile = ConformanceProfile.of(kind)
        let upstream = UpstreamDouble { _ in profile.models?.reply ?? .json(status: 500, OpenAIWireSamples.error("unexpected", type: "server_error", code: nil)) }
        try await profile.withProvider(upstream) { provider in
            guard let expected = profile.models else {
                let error = await gatewayError { _ = try await provider.listModels(context: ConformanceRequests.context()) }
                expectUnsupported(error)
                return
            }
            let models = try await provider.listModels(context: ConformanceRequests.context())
            #expect(models.sorted() == expected.ids.sorted())
        }
        guard let expected = profile.models else {
            #expect(upstream.requests.isEmpty)
            return
        }
        profile.expectRequest(upstream.requests.only, method: "GET", at: expected.endpoint, bodyModel: nil)
    }
}

// MARK: - What each provider type answers, and where

/// The GatewayError `operation` throws; records an issue when it throws nothing or something else.
func gatewayError(sourceLocation: SourceLocation = #_sourceLocation, _ operation: () async throws -> Void) async -> GatewayError? {
    do {
        try await operation()
        Issue.record("expected a GatewayError; nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as GatewayError {
        return error
    } catch {
        Issue.record("expected a GatewayError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// An explicit refusal: the gateway's `unsupported` error, whatever its status and code are.
func expectUnsupported(_ error: GatewayError?, sourceLocation: SourceLocation = #_sourceLocation) {
    let unsupported = GatewayError.unsupported("")
    #expect(error != nil, "expected the unsupported error", sourceLocation: sourceLocation)
    #expect(error?.status == unsupported.status, sourceLocation: sourceLocation)
    #expect(error?.kind == unsupported.kind, sourceLocation: sourceLocation)
    #expect(error?.code == unsupported.code, sourceLocation: sourceLocation)
}
