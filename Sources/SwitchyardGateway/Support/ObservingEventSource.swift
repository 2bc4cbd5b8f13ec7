import SwitchyardCore

/// Watches a routed stream's events as they pass, for a feature that acts once the stream has ended whole.
protocol StreamObserver: Sendable {
    /// Sees one event; returns whether the stream has ended whole with it (`[DONE]`, or a native stream's end).
    mutating func observe(_ event: ChatStreamEvent) -> Bool
    /// Called once the stream has ended whole, before its last event is passed on; an error it throws ends the
    /// stream with that error instead.
    func streamEnded() async throws
}

/// Passes a routed stream on untouched while its observer watches; tells the observer when the stream ended
/// whole. A stream that fails, ends early or is abandoned never reaches ``StreamObserver/streamEnded()``.
struct ObservingEventSource<Observer: StreamObserver>: ChatEventSource {
    private var base: ChatEventStream.AsyncIterator
    private var observer: Observer
    private var finished = false

    init(base: ChatEventStream.AsyncIterator, observer: Observer) {
        self.base = base
        self.observer = observer
    }

    mutating func next() async throws -> ChatStreamEvent? {
        let event: ChatStreamEvent?
        do {
            event = try await base.next()
        } catch {
            finished = true
            throw error
        }
        guard let event else {
            finished = true
            return nil
        }
        if !finished, observer.observe(event) {
            finished = true
            try await observer.streamEnded()
        }
        return event
    }

    mutating func abandon() {
        finished = true
        base.abandon()
    }
}
