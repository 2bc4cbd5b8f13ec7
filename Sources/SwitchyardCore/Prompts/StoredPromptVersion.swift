public import Foundation
public import SwitchyardWire

/// One version of a prompt: its definition (model, template, variables ...) as JSON, never changed once made.
public struct StoredPromptVersion: Sendable, Equatable {
    public var prompt: String
    public var version: Int
    /// The definition as it was given (`model`, `template`, `system`, `variables`, `parameters` ...).
    public var definition: JSONValue
    /// Who made it: `master`, `config`, or a key id.
    public var createdBy: String
    public var createdAt: Date

    public init(prompt: String, version: Int, definition: JSONValue, createdBy: String, createdAt: Date) {
        self.prompt = prompt
        self.version = version
        self.definition = definition
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}
