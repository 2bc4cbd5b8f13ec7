package import Logging
package import SwitchyardCore
import Synchronization

/// The level and format every ``LineLogHandler`` made for the process follows, changed in place by a configuration
/// reload (a logger whose level was set on it keeps its own).
package final class LogSettings: Sendable {
    /// The process's settings, which `switchyard serve` bootstraps its handlers with.
    package static let process = LogSettings(level: .info, format: .json)

    private let levelIndex: Atomic<Int>
    private let formatIndex: Atomic<Int>

    package init(level: Logger.Level, format: LoggingSettings.Format) {
        levelIndex = Atomic(Self.index(of: level))
        formatIndex = Atomic(Self.index(of: format))
    }

    package var level: Logger.Level { Logger.Level.allCases[levelIndex.load(ordering: .relaxed)] }
    package var format: LoggingSettings.Format { LoggingSettings.Format.allCases[formatIndex.load(ordering: .relaxed)] }

    package func update(level: Logger.Level, format: LoggingSettings.Format) {
        levelIndex.store(Self.index(of: level), ordering: .relaxed)
        formatIndex.store(Self.index(of: format), ordering: .relaxed)
    }

    private static func index(of level: Logger.Level) -> Int { Logger.Level.allCases.firstIndex(of: level) ?? 0 }
    private static func index(of format: LoggingSettings.Format) -> Int { LoggingSettings.Format.allCases.firstIndex(of: format) ?? 0 }
}
