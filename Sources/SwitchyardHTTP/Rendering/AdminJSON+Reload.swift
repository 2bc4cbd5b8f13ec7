import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardWire

extension AdminJSON {
    /// `POST /admin/reload`'s answer: 200 with the settings that wait for a restart, or 400 in the API's error shape
    /// naming each problem's key path (the running configuration keeps serving).
    static func reload(_ outcome: ReloadOutcome) -> Response {
        switch outcome {
        case .applied(let restartRequired, let warnings):
            return response([
                "object": "configuration.reload",
                "reloaded": true,
                "loaded_at": .integer(Int64(Date().timeIntervalSince1970)),
                "restart_required": .array(restartRequired.map(JSONValue.string)),
                "warnings": .array(warnings.map(problem)),
            ])
        case .refused(let problems):
            let listed = problems.map { $0.path.isEmpty ? $0.message : "\($0.path): \($0.message)" }.joined(separator: "; ")
            return response(
                [
                    "error": [
                        "message": .string("The configuration was refused; the running one keeps serving. \(listed)"),
                        "type": "invalid_request_error",
                        "param": problems.first.flatMap { $0.path.isEmpty ? nil : JSONValue.string($0.path) } ?? .null,
                        "code": "invalid_configuration",
                        "problems": .array(problems.map(problem)),
                    ]
                ], status: .badRequest)
        }
    }

    private static func problem(_ problem: ReloadOutcome.Problem) -> JSONValue {
        ["path": .string(problem.path), "message": .string(problem.message)]
    }
}
