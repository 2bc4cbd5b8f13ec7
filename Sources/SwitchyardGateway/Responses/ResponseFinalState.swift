package import Logging
package import SwitchyardCore
import SwitchyardTranslation
package import SwitchyardWire

/// A streamed response's final state, queued for storage when its reader abandoned it.
package struct ResponseFinalState: Sendable {
    package var id: String
    package var status: String
    package var response: JSONValue

    init(_ object: ResponseObject) {
        id = object.id
        status = object.status
        response = object.json
    }
}

extension BatchedWriter where Record == ResponseFinalState {
    /// Saves abandoned streamed responses' final states, only over a response still in progress.
    package convenience init(responses store: any ResponseStore, metrics: GatewayMetrics? = nil, logger: Logger) {
        self.init(name: "responses", capacity: 1000, maximumBatch: 50, metrics: metrics, logger: logger) { states in
            for state in states {
                _ = try await store.updateResponse(id: state.id, status: state.status, response: state.response, onlyFrom: ["in_progress"])
            }
        }
    }
}
