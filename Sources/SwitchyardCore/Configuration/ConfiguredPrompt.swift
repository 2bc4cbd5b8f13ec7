public import SwitchyardWire

/// A prompt defined in the configuration file (`prompts:`): its name and its definition, which is its version 1.
public struct ConfiguredPrompt: Sendable, Equatable {
    public var name: String
    /// The definition (`model`, `template`, `system`, `variables` ...) as JSON.
    public var definition: JSONValue

    public init(name: String, definition: JSONValue) {
        self.name = name
        self.definition = definition
    }
}
