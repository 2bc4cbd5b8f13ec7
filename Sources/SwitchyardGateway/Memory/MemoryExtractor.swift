import Foundation
import Logging
import ServiceLifecycle
package import SwitchyardCore
import SwitchyardWire

/// Works through long-term memory's queue: asks each turn's `extract_with` model for the durable facts it holds
/// (`{"facts": [...]}`), embeds them, and stores those not already known (by similarity) for the user.
package struct MemoryExtractor: Service {
    /// The gateway of the configuration in force (it changes on reload).
    let gateways: Swappable<Gateway>
    let memory: LongTermMemory

    /// Facts at least this similar to one already kept (or to another of the same turn) are the same fact.
    static let duplicateSimilarity: Float = 0.9

    package init(gateways: Swappable<Gateway>, memory: LongTermMemory) {
        self.gateways = gateways
        self.memory = memory
    }

    /// Turns extracted at once.
    static let workers = 4

    package func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.workers {
                    group.addTask {
                        var skipped = 0
                        for await extraction in memory.extractions {
                            // Stopping: what is still queued is not worth holding the shutdown for.
                            if memory.isStopping {
                                skipped += 1
                                continue
                            }
                            await extract(extraction)
                        }
                        if skipped > 0 { memory.logger.notice("turns not remembered at shutdown", metadata: ["count": "\(skipped)"]) }
                    }
                }
            }
        } onGracefulShutdown: {
            memory.stop()
        }
    }

    /// One turn: nothing is stored when the model's answer does not parse, or anything fails.
    func extract(_ extraction: LongTermMemory.Extraction) async {
        let logger = extraction.context.logger
        let gateway = gateways.current
        do {
            let instructions = """
                You extract durable facts about the user from one turn of a conversation: preferences, circumstances, \
                projects, names, and what they asked to be remembered. Leave out anything true only for this request. \
                Answer with only a JSON object {"facts": ["...", ...]}, each fact a short sentence about the user; \
                {"facts": []} when there is none.
                """
            let answer = try await gateway.completionText(
                messages: [["role": "system", "content": .string(instructions)], ["role": "user", "content": .string(extraction.transcript)]],
                model: extraction.settings.extractWith, maxTokens: 512, caller: extraction.caller?.onGatewaysBehalf, context: extraction.context)
            guard let facts = Self.facts(in: answer), !facts.isEmpty else { return }
            let vectors = try await gateway.embeddings(
                of: facts, model: extraction.settings.embeddingModel, caller: extraction.caller?.onGatewaysBehalf, context: extraction.context)
            // A user forgotten after this turn was queued learns nothing from it.
            if let forgotten = try await memory.store.forgottenAt(scope: extraction.scope, user: extraction.user), forgotten >= extraction.enqueuedAt {
                return
            }
            var known = try await memory.store.memories(scope: extraction.scope, user: extraction.user).compactMap { SemanticIndex.unit($0.vector) }
            var fresh: [Memory] = []
            let now = Date()
            for (fact, vector) in zip(facts, vectors) {
                guard let unit = SemanticIndex.unit(vector) else { continue }
                if known.contains(where: { $0.count == unit.count && SemanticIndex.dot($0, unit) >= Self.duplicateSimilarity }) { continue }
                known.append(unit)
                fresh.append(
                    Memory(id: ResponsesService.randomID("mem"), scope: extraction.scope, user: extraction.user, text: fact, vector: vector, createdAt: now))
            }
            try await memory.store.insertMemories(fresh)
            if known.count > LongTermMemory.maximumPerUser {
                try await memory.store.trimMemories(scope: extraction.scope, user: extraction.user, keeping: LongTermMemory.maximumPerUser)
            }
        } catch {
            logger.warning("could not extract memories from a turn", metadata: ["error": "\(error)"])
        }
    }

    /// The facts of an answer `{"facts": [strings]}` (inside a Markdown code fence too); nil when it does not parse.
    static func facts(in answer: String) -> [String]? {
        var text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```"), let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close {
            text = String(text[open...close])
        }
        guard let facts = (try? JSONValue(decoding: text))?["facts"]?.array else { return nil }
        return facts.compactMap { $0.string?.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.map { String($0.prefix(1_000)) }
    }
}
