import Foundation
import SQLKit
import SwitchyardCore
import SwitchyardWire
import Testing

@testable import SwitchyardStorage

@Suite("Prompts on SQLite and PostgreSQL")
struct PromptStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func prompt(_ name: String, state: StoredPrompt.State = .draft, activeVersion: Int = 0, configured: Bool = false) -> StoredPrompt {
        StoredPrompt(name: name, state: state, activeVersion: activeVersion, configured: configured, createdAt: now, updatedAt: now)
    }

    static func definition(_ template: String) -> JSONValue {
        .object(["model": .string("chat"), "template": .string(template), "variables": .array([.object(["name": .string("text")])])])
    }

    @Test("each added version takes the next number and becomes the active one; a prompt that exists keeps its state", arguments: TestDatabase.available)
    func addedVersions(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            #expect(try await store.prompt(name: "sentiment") == nil)
            for version in 1...3 {
                let time = Self.now.addingTimeInterval(Double(version))
                let stored = try await store.addPromptVersion(Self.definition("v\(version)"), to: Self.prompt("sentiment"), createdBy: "master", at: time)
                #expect(stored.activeVersion == version)
                #expect(stored.updatedAt == time)
                #expect(stored.state == .draft && stored.createdAt == Self.now && !stored.configured)
            }
            let versions = try await store.promptVersions(name: "sentiment")
            #expect(versions.map(\.version) == [1, 2, 3])
            #expect(versions.map(\.definition) == [Self.definition("v1"), Self.definition("v2"), Self.definition("v3")])
            #expect(
                try await store.promptVersion(name: "sentiment", version: 2)
                    == StoredPromptVersion(
                        prompt: "sentiment", version: 2, definition: Self.definition("v2"), createdBy: "master", createdAt: Self.now.addingTimeInterval(2)))
            #expect(try await store.promptVersion(name: "sentiment", version: 4) == nil)
            #expect(try await store.prompt(name: "sentiment")?.activeVersion == 3)

            // The prompt passed along is only for a new one: the stored one keeps its state.
            var published = try #require(try await store.prompt(name: "sentiment"))
            published.state = .published
            #expect(try await store.update(published))
            let fourth = try await store.addPromptVersion(Self.definition("v4"), to: Self.prompt("sentiment"), createdBy: "key_1", at: Self.now)
            #expect(fourth.state == .published && fourth.activeVersion == 4)
            #expect(try await store.promptVersion(name: "sentiment", version: 4)?.createdBy == "key_1")

            // Each prompt counts its own versions.
            let summary = try await store.addPromptVersion(Self.definition("s"), to: Self.prompt("summary"), createdBy: "master", at: Self.now)
            #expect(summary.activeVersion == 1)
            #expect(try await store.prompts().map(\.name) == ["sentiment", "summary"])
            #expect(try await store.promptVersions(name: "nothing").isEmpty)
        }
    }

    @Test("versions added at once each get their own number, and the newest is active", arguments: TestDatabase.available)
    func concurrentAdds(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        _ = try await store.addPromptVersion(Self.definition("v\(index)"), to: Self.prompt("busy"), createdBy: "master", at: Self.now)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.promptVersions(name: "busy").map(\.version) == Array(1...6))
            #expect(try await store.prompt(name: "busy")?.activeVersion == 6)
        }
    }

    @Test("a seed makes a published, configured prompt with version 1; seeding again replaces version 1 and keeps the state", arguments: TestDatabase.available)
    func seeding(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let seeded = Self.prompt("greeting", state: .published, activeVersion: 1, configured: true)
            try await store.seedPrompt(seeded, definition: Self.definition("Hello {{name}}"))
            #expect(try await store.prompt(name: "greeting") == seeded)
            let first = try #require(try await store.promptVersion(name: "greeting", version: 1))
            #expect(first.definition == Self.definition("Hello {{name}}") && first.createdBy == "config")

            var deprecated = seeded
            deprecated.state = .deprecated
            deprecated.sunset = Self.now.addingTimeInterval(86_400)
            deprecated.updatedAt = Self.now.addingTimeInterval(60)
            #expect(try await store.update(deprecated))
            try await store.seedPrompt(seeded, definition: Self.definition("Hi {{name}}"))
            #expect(try await store.prompt(name: "greeting") == deprecated)
            let replaced = try await store.promptVersions(name: "greeting")
            #expect(replaced.map(\.version) == [1])
            #expect(replaced.map(\.definition) == [Self.definition("Hi {{name}}")])
            #expect(replaced.map(\.createdBy) == ["config"])

            // Versions added later count on from the file's.
            let next = try await store.addPromptVersion(Self.definition("Hey {{name}}"), to: seeded, createdBy: "master", at: Self.now)
            #expect(next.activeVersion == 2 && next.state == .deprecated)
        }
    }

    @Test("an update replaces what may change, and reports a prompt that is not there", arguments: TestDatabase.available)
    func updates(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            #expect(try await store.update(Self.prompt("missing")) == false)
            #expect(try await store.prompt(name: "missing") == nil)

            var prompt = try await store.addPromptVersion(Self.definition("a"), to: Self.prompt("routed"), createdBy: "master", at: Self.now)
            _ = try await store.addPromptVersion(Self.definition("b"), to: Self.prompt("routed"), createdBy: "master", at: Self.now)
            prompt.state = .published
            prompt.activeVersion = 1
            prompt.visibility = .teams
            prompt.teams = ["red", "blue"]
            prompt.subscriptionRequired = true
            prompt.sunset = Self.now.addingTimeInterval(3_600)
            prompt.updatedAt = Self.now.addingTimeInterval(60)
            #expect(try await store.update(prompt))
            #expect(try await store.prompt(name: "routed") == prompt)

            prompt.visibility = .all
            prompt.teams = []
            prompt.subscriptionRequired = false
            prompt.sunset = nil
            #expect(try await store.update(prompt))
            #expect(try await store.prompt(name: "routed") == prompt)
        }
    }

    @Test("a prompt's history reads back in the order it was written, and only its own", arguments: TestDatabase.available)
    func history(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let events = [
                PromptEvent(prompt: "sentiment", action: "created", version: 1, actor: "master", time: Self.now),
                PromptEvent(prompt: "sentiment", action: "published", version: 1, actor: "master", time: Self.now),
                PromptEvent(prompt: "sentiment", action: "subscription_requested", actor: "key_1", time: Self.now.addingTimeInterval(5), detail: "team_red"),
                PromptEvent(prompt: "sentiment", action: "deprecated", actor: "master", time: Self.now.addingTimeInterval(9), detail: "2026-09-01T00:00:00Z"),
            ]
            try await store.appendPromptEvent(events[0])
            try await store.appendPromptEvent(PromptEvent(prompt: "summary", action: "created", version: 1, actor: "config", time: Self.now))
            for event in events.dropFirst() { try await store.appendPromptEvent(event) }
            #expect(try await store.promptEvents(name: "sentiment") == events)
            #expect(try await store.promptEvents(name: "summary").map(\.action) == ["created"])
            #expect(try await store.promptEvents(name: "nothing").isEmpty)
        }
    }

    @Test("subscriptions are found by id and by prompt and team, listed oldest first by status, and decided", arguments: TestDatabase.available)
    func subscriptionRequests(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            let red = PromptSubscription(id: "sub_1", prompt: "sentiment", teamID: "red", status: .pending, requestedBy: "key_r", createdAt: Self.now)
            let blue = PromptSubscription(
                id: "sub_2", prompt: "sentiment", teamID: "blue", status: .pending, requestedBy: "key_b", createdAt: Self.now.addingTimeInterval(1))
            let other = PromptSubscription(
                id: "sub_3", prompt: "summary", teamID: "red", status: .pending, requestedBy: "key_r", createdAt: Self.now.addingTimeInterval(2))
            for subscription in [other, blue, red] { try await store.insert(subscription) }

            #expect(try await store.subscriptions(status: nil).map(\.id) == ["sub_1", "sub_2", "sub_3"])
            #expect(try await store.subscription(id: "sub_2") == blue)
            #expect(try await store.subscription(id: "sub_9") == nil)
            #expect(try await store.subscription(prompt: "sentiment", teamID: "red") == red)
            #expect(try await store.subscription(prompt: "summary", teamID: "red") == other)
            #expect(try await store.subscription(prompt: "sentiment", teamID: "green") == nil)

            var approved = blue
            approved.status = .approved
            approved.decidedAt = Self.now.addingTimeInterval(10)
            #expect(try await store.update(approved))
            var unknown = red
            unknown.id = "sub_9"
            #expect(try await store.update(unknown) == false)
            #expect(try await store.subscription(id: "sub_2") == approved)
            #expect(try await store.subscriptions(status: .approved) == [approved])
            #expect(try await store.subscriptions(status: .pending).map(\.id) == ["sub_1", "sub_3"])
            #expect(try await store.subscriptions(status: .rejected).isEmpty)
        }
    }

    static func usage(_ id: String, prompt: String?, version: Int?, cost: Double) -> UsageRecord {
        var record = UsageRecord(
            requestID: id, keyID: "k1", teamID: "t1", model: "chat", target: "up/gpt", promptTokens: 10, completionTokens: 5, cachedTokens: 0,
            costUSD: cost, latencyMilliseconds: 10, status: 200, time: now)
        record.prompt = prompt
        record.promptVersion = version
        return record
    }

    @Test("usage records name their prompt and version, and are filtered and grouped by prompt", arguments: TestDatabase.available)
    func usageByPrompt(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            try await store.append([
                Self.usage("r1", prompt: "sentiment", version: 1, cost: 0.5), Self.usage("r2", prompt: "sentiment", version: 2, cost: 0.25),
                Self.usage("r3", prompt: "summary", version: 1, cost: 1), Self.usage("r4", prompt: nil, version: nil, cost: 2),
            ])
            var query = UsageQuery()
            query.prompt = "sentiment"
            let sentiment = try await store.totals(query)
            #expect(sentiment.map(\.requests) == [2])
            #expect(sentiment.map(\.costUSD) == [0.75])
            #expect(sentiment.map(\.promptTokens) == [20])

            var grouped = UsageQuery(groupBy: .prompt)
            let byPrompt = try await store.totals(grouped)
            // Runs of no prompt make a group of their own, named nil.
            #expect(byPrompt.count == 3)
            #expect(byPrompt.first { $0.group == nil }?.requests == 1)
            var requests: [String: Int] = [:]
            for totals in byPrompt { if let group = totals.group { requests[group] = totals.requests } }
            #expect(requests == ["sentiment": 2, "summary": 1])
            grouped.prompt = "summary"
            #expect(try await store.totals(grouped).map(\.group) == ["summary"])

            // Versions are kept apart in the sums (0: no prompt ran).
            let versions = try await store.database.select().column("prompt").column("prompt_version").from("usage_minutes")
                .orderBy("prompt").orderBy("prompt_version").all()
                .map { "\(try $0.decode(column: "prompt", as: String.self))@\(try $0.decode(column: "prompt_version", as: Int.self))" }
            #expect(versions == ["@0", "sentiment@1", "sentiment@2", "summary@1"])
            // The daily sums are per key and team, whatever the prompt.
            #expect(try await store.spend(since: Self.now)["key:k1"] == Spend(costUSD: 3.75, tokens: 60))
        }
    }

    @Test("the request log keeps the prompt a request ran", arguments: TestDatabase.available)
    func requestLogPrompt(_ backend: TestDatabase) async throws {
        try await backend.withStore { store in
            var entry = RequestLogEntry(
                id: RequestLogEntry.makeID(at: Self.now), requestID: "req-1", time: Self.now, method: "POST", path: "/v1/prompts/sentiment/run",
                status: 200)
            entry.prompt = "sentiment@2"
            let plain = RequestLogEntry(
                id: RequestLogEntry.makeID(at: Self.now.addingTimeInterval(1)), requestID: "req-2", time: Self.now.addingTimeInterval(1), method: "POST",
                path: "/v1/chat/completions", status: 200)
            try await store.appendLogs([entry, plain])
            let logs = try await store.logs(RequestLogQuery())
            #expect(logs.first { $0.requestID == "req-1" }?.prompt == "sentiment@2")
            #expect(logs.first { $0.requestID == "req-2" }?.prompt == nil)
        }
    }
}
