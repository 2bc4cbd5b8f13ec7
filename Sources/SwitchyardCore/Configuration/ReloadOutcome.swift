/// What reading the configuration again did.
package enum ReloadOutcome: Sendable, Equatable {
    /// One thing wrong or worth a warning, with the key path it is about (e.g. `models[2].targets[0].provider`).
    package struct Problem: Sendable, Equatable {
        package var path: String
        package var message: String

        package init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    /// The new configuration serves every request from now on. The settings in `restartRequired` (key paths)
    /// changed in the file but keep their running values until the process restarts.
    case applied(restartRequired: [String], warnings: [Problem])
    /// The configuration was refused, for these problems; the running one keeps serving.
    case refused([Problem])
}
